/**
 * The redaction registry (report/redact.ts) as plain functions: registered values in their plain,
 * URL-encoded and base64 forms, the secret-shaped patterns nobody registered, and redaction applied
 * twice (a message redacted by a check and again by the reporter) reading as if applied once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact, registerSecret } from '../report/redact.js';

void describe('redaction', () => {
  void it('replaces a registered value in plain, URL-encoded and base64 form, and ignores values too short to be secrets', () => {
    const secret = registerSecret('s3cr3t/value+with=chars', 'client secret');
    registerSecret('abc', 'short');
    assert.equal(redact(`a ${secret} b`), 'a [redacted client secret] b');
    assert.equal(redact(`q=${encodeURIComponent(secret)}`), 'q=[redacted client secret]');
    assert.equal(redact(Buffer.from(secret).toString('base64')), '[redacted client secret]');
    assert.equal(redact('abc and abcdef'), 'abc and abcdef');
  });

  void it('hides JWT-shaped strings, session cookies, bearer credentials and token parameters nobody registered', () => {
    assert.equal(redact('t=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eHh4In0.c2lnbmF0dXJlLXh4'), 't=[redacted jwt]');
    assert.equal(redact('Set-Cookie: catalyst_session=abcdef123456; Path=/'), 'Set-Cookie: catalyst_session=[redacted cookie]; Path=/');
    assert.equal(redact('Authorization: Bearer abcdefgh12345678'), 'Authorization: Bearer [redacted]');
    assert.equal(redact('GET /auth/handover?token=abcdefgh12345678: 401'), 'GET /auth/handover?token=[redacted]: 401');
  });

  void it('redacting twice gives what redacting once gave (no doubled markers)', () => {
    const cookie = registerSecret('Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA', 'cookie catalyst_session');
    const inputs = [
      `Set-Cookie: catalyst_session=${cookie}; Path=/; Domain=.sovereign.test; HttpOnly; Secure; SameSite=Lax`,
      'catalyst_refresh=unregistered-value-123; Path=/',
      'GET https://console.x/auth/handover?token=abcdefgh12345678&x=1',
      'Authorization: Bearer abcdefgh12345678',
    ];
    for (const text of inputs) {
      const once = redact(text);
      assert.equal(redact(once), once, text);
      assert.ok(!/\] cookie|redacted\][^;\s]*\]/.test(once), once);
    }
  });
});
