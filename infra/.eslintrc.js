module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // CDK constructs are created for their effect on the construct tree.
    'no-new': 'off',
    // aws-cdk-lib's Template.has*/resourceCountIs are assertions too.
    'jest/expect-expect': [
      'warn',
      {
        assertFunctionNames: [
          'expect',
          '*.hasResourceProperties',
          '*.resourceCountIs',
        ],
      },
    ],
  },
});
