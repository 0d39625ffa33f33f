import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '@headroom/core';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateProviderSettings } from '../../src/provider-registry.js';
import { parseRunSettings } from '../../src/run/run-config-schema.js';
import { repositoryRoot } from '../run-cli.js';

const deploy = (path: string) => readFileSync(join(repositoryRoot, 'deploy', path), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: manifests are probed by assertions
const manifest = (path: string): any => parseAllDocuments(deploy(path))[0]!.toJS();

describe('deploy/kubernetes', () => {
  test('two replicas with probes on /healthz and /readyz, non-root, config and secrets mounted', () => {
    const deployment = manifest('kubernetes/deployment.yaml');
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.envFrom[0].secretRef.name).toBe(manifest('kubernetes/secret.yaml').metadata.name);
    const configVolume = deployment.spec.template.spec.volumes.find(
      (volume: { name: string }) => volume.name === 'config',
    );
    expect(configVolume.configMap.name).toBe(manifest('kubernetes/configmap.yaml').metadata.name);
    expect(manifest('kubernetes/poddisruptionbudget.yaml')).toMatchObject({
      kind: 'PodDisruptionBudget',
      spec: { minAvailable: 1 },
    });
    expect(manifest('kubernetes/servicemonitor.yaml').spec.endpoints[0].path).toBe('/metrics');
    const kustomization = manifest('kubernetes/kustomization.yaml');
    for (const resource of kustomization.resources) expect(() => deploy(`kubernetes/${resource}`)).not.toThrow();
  });

  test('the ConfigMap holds a valid config on PostgreSQL with every secret from the environment', async () => {
    const text = manifest('kubernetes/configmap.yaml').data['headroom.yaml'];
    const config = parseConfig(parseAllDocuments(text)[0]!.toJS(), { source: 'configmap' });
    await validateProviderSettings(config, 'configmap');
    const settings = parseRunSettings(config);
    expect(settings.state).toEqual({ postgres: { url: { env: 'HEADROOM_POSTGRES_URL' } } });
    expect(settings.api.token).toEqual({ env: 'HEADROOM_API_TOKEN' });
    const secretKeys = Object.keys(manifest('kubernetes/secret.yaml').stringData);
    for (const name of text.match(/HEADROOM_[A-Z_]+/g) ?? []) expect(secretKeys).toContain(name);
  });
});

describe('Dockerfile and systemd unit', () => {
  test('multi-stage on the official Node image, pnpm deploy --prod, non-root, HEALTHCHECK', () => {
    const dockerfile = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN .*bash scripts\/deploy-bundle\.sh \/opt\/headroom$/m);
    const bundle = readFileSync(join(repositoryRoot, 'scripts/deploy-bundle.sh'), 'utf8');
    expect(bundle).toMatch(/--filter @headroom\/scaler deploy --prod/);
    expect(bundle).toMatch(/peerDependencies/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
  });

  test('the unit reloads with SIGHUP and does not restart on a config error', () => {
    const unit = deploy('systemd/headroom.service');
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });
});
