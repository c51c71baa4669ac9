import { CliUsageError, parseCliArgs } from './cliArgs';

describe('parseCliArgs', () => {
  it('defaults to 1000 devices', () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      options: expect.objectContaining({ devices: 1000 }),
    });
  });

  it('parses every flag', () => {
    expect(
      parseCliArgs([
        '--endpoint',
        'http://127.0.0.1:4573',
        '--region',
        'eu-west-1',
        '--devices=25',
        '--time-scale',
        '60',
        '--bad-rate',
        '0.05',
        '--rate',
        '500',
        '--duration',
        '30',
        '--seed',
        '7',
      ]),
    ).toEqual({
      help: false,
      options: {
        endpoint: 'http://127.0.0.1:4573',
        region: 'eu-west-1',
        devices: 25,
        timeScale: 60,
        badRate: 0.05,
        ratePerSecond: 500,
        durationSeconds: 30,
        seed: 7,
      },
    });
  });

  it('recognises --help', () => {
    expect(parseCliArgs(['--help'])).toEqual({ help: true });
    expect(parseCliArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [['--devices', '0'], /--devices must be at least 1/],
    [['--devices', '2.5'], /--devices must be an integer/],
    [['--devices', 'many'], /--devices must be an integer, got 'many'/],
    [['--bad-rate', '1.5'], /--bad-rate must be at most 1/],
    [['--bad-rate=-0.1'], /--bad-rate must be at least 0/],
    [['--time-scale', '0'], /--time-scale must be greater than 0/],
    [['--rate', ''], /--rate must be a number/],
    [['--duration', 'soon'], /--duration must be a number/],
    [['--endpoint', 'localhost:4573'], /--endpoint must be an http/],
    [['--endpoint', 'not a url'], /--endpoint must be a URL/],
    [['--region', 'EU West'], /--region must look like us-east-1/],
    [['--devcies', '3'], /Unknown option '--devcies'/],
    [['extra'], /extra/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
