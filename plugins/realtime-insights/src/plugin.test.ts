import plugin from './index';

describe('realtime-insights frontend plugin', () => {
  it('is a frontend plugin with the realtime-insights id', () => {
    expect(plugin.id).toBe('realtime-insights');
  });
});
