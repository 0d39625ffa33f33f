import { describe, expect, test } from 'vitest';
import { listStartupScriptPlaceholders, renderStartupScript } from './render-startup-script.js';
import { StartupScriptError } from './startup-script-error.js';

function captureError(fn: () => unknown): StartupScriptError {
  try {
    fn();
  } catch (error) {
    if (StartupScriptError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a StartupScriptError');
}

describe('renderStartupScript', () => {
  test('renders the seed check-in curl example, with doubled braces as literal braces', () => {
    const template =
      'curl -k -X POST -H "Content-Type: application/json" -d \'{{"status": "running", "status_message": "Initialization Complete", "status_progress": "100"}}\' https://{upstream_auth_address}/api/set_server_status?token={checkin_jwt}';
    expect(
      renderStartupScript({
        template,
        values: { upstream_auth_address: 'kasm.example.com', checkin_jwt: 'eyJ.token' },
      }),
    ).toBe(
      'curl -k -X POST -H "Content-Type: application/json" -d \'{"status": "running", "status_message": "Initialization Complete", "status_progress": "100"}\' https://kasm.example.com/api/set_server_status?token=eyJ.token',
    );
  });

  test('renders the seed PowerShell domain-join example', () => {
    const template = [
      "$joinCred = New-Object pscredential -ArgumentList ([pscustomobject]@{{ UserName = $null; Password = (ConvertTo-SecureString -String '{ad_join_credential}' -AsPlainText -Force)[0] }})",
      'Add-Computer -Domain "{domain}" -Options UnsecuredJoin,PasswordPass -Credential $joinCred -Force -Restart',
    ].join('\n');
    const rendered = renderStartupScript({
      template,
      values: { ad_join_credential: 'p@ss{word}', domain: 'corp.example.com' },
    });
    expect(rendered).toBe(
      [
        "$joinCred = New-Object pscredential -ArgumentList ([pscustomobject]@{ UserName = $null; Password = (ConvertTo-SecureString -String 'p@ss{word}' -AsPlainText -Force)[0] })",
        'Add-Computer -Domain "corp.example.com" -Options UnsecuredJoin,PasswordPass -Credential $joinCred -Force -Restart',
      ].join('\n'),
    );
  });

  test('replaces every known placeholder, each time it occurs, and leaves values unescaped', () => {
    const template =
      '{server_id} {server_hostname} {server_external_fqdn} {upstream_auth_address} {provider_name} {checkin_jwt} {domain} {ad_join_credential} {server_id}';
    expect(
      renderStartupScript({
        template,
        values: {
          server_id: 'id-1',
          server_hostname: 'host-1',
          server_external_fqdn: 'host-1.example.com',
          upstream_auth_address: '10.0.0.1',
          provider_name: 'aws-east',
          checkin_jwt: 'jwt',
          domain: 'corp',
          ad_join_credential: '{{x}}',
        },
      }),
    ).toBe('id-1 host-1 host-1.example.com 10.0.0.1 aws-east jwt corp {{x}} id-1');
  });

  test('an unknown placeholder is an error naming it and its position', () => {
    const error = captureError(() =>
      renderStartupScript({ template: '#!/bin/sh\necho {server_id} {username}\n', values: { server_id: 'x' } }),
    );
    expect(error.problem).toBe('unknown-placeholder');
    expect(error.placeholder).toBe('username');
    expect(error.position).toEqual({ offset: 27, line: 2, column: 18 });
    expect(error.message).toContain('{username}');
    expect(error.message).toContain('line 2, column 18');
  });

  test('format specs, positional and attribute fields are unknown placeholders', () => {
    for (const [template, placeholder] of [
      ['{}', ''],
      ['{0}', '0'],
      ['{server_id:>10}', 'server_id:>10'],
      ['{server_id.upper}', 'server_id.upper'],
      ['{ server_id }', ' server_id '],
    ] as const) {
      const error = captureError(() => renderStartupScript({ template, values: { server_id: 'x' } }));
      expect(error.problem).toBe('unknown-placeholder');
      expect(error.placeholder).toBe(placeholder);
    }
  });

  test('a known placeholder without a value is an error', () => {
    const error = captureError(() => renderStartupScript({ template: 'join {domain}', values: {} }));
    expect(error.problem).toBe('missing-value');
    expect(error.placeholder).toBe('domain');
    expect(error.position.offset).toBe(5);
  });

  test('unmatched braces are errors with their position', () => {
    for (const [template, offset] of [
      ['echo {', 5],
      ['echo }', 5],
      ['a {server_id', 2],
      ['{server_id}}', 11],
      ['{{server_id}', 11],
      ['{ {server_id}', 0],
      ['}}}', 2],
    ] as const) {
      const error = captureError(() => renderStartupScript({ template, values: { server_id: 'x' } }));
      expect(error.problem, template).toBe('unmatched-brace');
      expect(error.position.offset, template).toBe(offset);
    }
  });

  test('doubled braces around a placeholder name are a literal, not a placeholder', () => {
    expect(renderStartupScript({ template: '{{server_id}}', values: {} })).toBe('{server_id}');
    expect(renderStartupScript({ template: '{{{server_id}}}', values: { server_id: 'x' } })).toBe('{x}');
  });

  test('error messages never contain values', () => {
    const secret = 'super-secret-credential';
    const error = captureError(() =>
      renderStartupScript({
        template: '{ad_join_credential} {checkin_jwt} {bogus}',
        values: { ad_join_credential: secret },
      }),
    );
    expect(error.message).not.toContain(secret);
    const missing = captureError(() =>
      renderStartupScript({ template: '{ad_join_credential} {checkin_jwt}', values: { ad_join_credential: secret } }),
    );
    expect(missing.placeholder).toBe('checkin_jwt');
    expect(missing.message).not.toContain(secret);
  });
});

describe('listStartupScriptPlaceholders', () => {
  test('lists used placeholders once, in order of first use, and validates the template', () => {
    expect(listStartupScriptPlaceholders('{domain} {{literal}} {server_id} {domain}')).toEqual(['domain', 'server_id']);
    expect(() => listStartupScriptPlaceholders('{nope}')).toThrow(/unknown placeholder \{nope\}/);
  });
});
