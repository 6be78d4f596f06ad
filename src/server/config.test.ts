import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('has working defaults: port 3000, embedded database in ./data', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.databaseUrl, undefined);
    assert.match(c.dataDir, /data$/);
    assert.equal(c.seedDemoWhenEmpty, true);
  });

  it('names the variable at fault', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
      [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ GONGZHI_ALLOW_EMBEDDED: 'maybe' }, 'GONGZHI_ALLOW_EMBEDDED'],
    ];
    for (const [env, variable] of cases) {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.includes(variable),
        JSON.stringify(env),
      );
    }
  });

  it('refuses the embedded database in production unless allowed', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /fsync/);
    assert.equal(loadConfig({ NODE_ENV: 'production', GONGZHI_ALLOW_EMBEDDED: '1' }).databaseUrl, undefined);
    const pg = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@h:5432/db' });
    assert.equal(pg.secureCookies, true);
    assert.equal(pg.seedDemoWhenEmpty, false, 'never seeds demo data into a production database by itself');
  });
});
