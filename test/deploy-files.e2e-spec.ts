import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import YAML from 'yaml';

/**
 * The deploy files are checked with the tools that will read them: no container engine runs on
 * these machines, so the image is checked as a parsed Dockerfile, the compose stack with
 * `docker-compose config`, and the Kubernetes manifests rendered by `kubectl kustomize` and validated
 * against the Kubernetes schemas (kubernetes-models).
 */
const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** An instruction's arguments as the Dockerfile wrote them (JSON form for CMD/HEALTHCHECK). */
const rawArgs = (i: Instruction) => i.getTextContent().slice(i.getKeyword().length).replace(/\\\n\s*/g, ' ').trim();

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const dockerfile = DockerfileParser.parse(text);
  const stages = dockerfile.getFROMs().map((f) => f.getBuildStage());
  const instructionsOf = (stage: string) => {
    const froms = dockerfile.getFROMs();
    const index = stages.indexOf(stage);
    const start = froms[index].getRange().start.line;
    const end = index + 1 < froms.length ? froms[index + 1].getRange().start.line : Infinity;
    return dockerfile.getInstructions().filter((i) => i.getRange().start.line > start && i.getRange().start.line < end);
  };
  const runtime = instructionsOf('runtime');
  const one = (keyword: string) => {
    const found = runtime.filter((i) => i.getKeyword() === keyword);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('has no problem the Dockerfile linter knows of', () => {
    expect(validate(text)).toEqual([]);
  });

  it('is multi-stage: builds with every dependency, ships only production ones', () => {
    expect(stages).toEqual(['build', 'runtime']);
    const buildRuns = instructionsOf('build').filter((i) => i.getKeyword() === 'RUN').map(rawArgs);
    expect(buildRuns).toContain('npm ci --no-audit --no-fund');
    expect(buildRuns.some((r) => r.includes('npm run build') && r.includes('npm prune --omit=dev'))).toBe(true);
    const copies = runtime.filter((i) => i.getKeyword() === 'COPY').map(rawArgs);
    expect(copies).toEqual(['--from=build /app/package.json ./package.json', '--from=build /app/node_modules ./node_modules', '--from=build /app/dist ./dist']);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    const sources = instructionsOf('build')
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) => i.getArguments().slice(0, -1).map((a) => a.getValue()));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(ROOT, source)), allowed: allowed.includes(source) }).toEqual({ source, exists: true, allowed: true });
    }
    // Everything `npm run build` compiles is copied: tsconfig.json's include list.
    const include = (JSON.parse(read('tsconfig.json')) as { include: string[] }).include.filter((dir) => dir !== 'test');
    expect(sources).toEqual(expect.arrayContaining(include));
  });

  it('runs what `npm start` runs, as a non-root user, with a health check on /readyz', () => {
    expect(JSON.parse(rawArgs(one('CMD')))).toEqual(pkg.scripts.start.split(' '));
    expect(existsSync(join(ROOT, 'apps/tollgate/src/main.ts'))).toBe(true);
    const user = rawArgs(one('USER'));
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(rawArgs(one('HEALTHCHECK'))).toMatch(/CMD \["node", "-e", ".*\/readyz/);
    expect(rawArgs(one('STOPSIGNAL'))).toBe('SIGTERM');
  });

  it('writes only to volumes, so it runs with a read-only root filesystem', () => {
    const volumes = JSON.parse(rawArgs(one('VOLUME'))) as string[];
    expect(volumes).toEqual(['/var/lib/tollgate', '/tmp']);
    expect(rawArgs(one('ENV'))).toContain('TOLLGATE_DATA_DIR=/var/lib/tollgate');
  });

  it('carries the OCI labels', () => {
    const labels = rawArgs(one('LABEL'));
    for (const key of ['title', 'description', 'version', 'revision', 'licenses', 'base.name']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });
});

describe('deploy/compose', () => {
  let dir: string;
  let config: { services: Record<string, Record<string, unknown>>; secrets: Record<string, unknown> };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-compose-'));
    cpSync(join(ROOT, 'deploy'), join(dir, 'deploy'), { recursive: true });
    execFileSync('sh', [join(dir, 'deploy/compose/generate-env.sh')], { encoding: 'utf8' });
    const out = spawnSync('docker-compose', ['-f', 'compose.yaml', 'config'], { cwd: join(dir, 'deploy/compose'), encoding: 'utf8' });
    expect(out.error).toBeUndefined();
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
    config = YAML.parse(out.stdout);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates random secrets once and refuses to overwrite them', () => {
    const env = Object.fromEntries(
      readFileSync(join(dir, 'deploy/compose/.env'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    ) as Record<string, string>;
    expect(Buffer.from(env.TOLLGATE_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    expect(Buffer.from(env.TOLLGATE_EVIDENCE_SIGNING_KEY, 'base64')).toHaveLength(32);
    expect(env.TOLLGATE_BOOTSTRAP_ADMIN_KEY.length).toBeGreaterThanOrEqual(24);
    expect(env.TOLLGATE_METRICS_TOKEN).toBe(readFileSync(join(dir, 'deploy/compose/secrets/metrics_token'), 'utf8'));
    const again = spawnSync('sh', [join(dir, 'deploy/compose/generate-env.sh')], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('.env exists');
  });

  it('runs migrations once before two API replicas and a worker, all on PostgreSQL', () => {
    const { services } = config;
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'api', 'grafana', 'migrate', 'postgres', 'prometheus', 'worker']);
    expect(services.migrate.command).toEqual(['node', 'dist/libs/database/src/migrate.cli.js']);
    expect(existsSync(join(ROOT, 'libs/database/src/migrate.cli.ts'))).toBe(true);
    expect(services.api.deploy).toEqual({ replicas: 2 });
    for (const name of ['api', 'worker']) {
      const svc = services[name] as { depends_on: unknown; environment: Record<string, string>; read_only: boolean; cap_drop: string[] };
      expect(svc.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
      expect(svc.environment.TOLLGATE_ROLE).toBe(name);
      expect(svc.environment.DATABASE_URL).toMatch(/^postgres:\/\/tollgate:[^@]+@postgres:5432\/tollgate$/);
      expect(svc.read_only).toBe(true);
      expect(svc.cap_drop).toEqual(['ALL']);
    }
  });

  it('provisions Prometheus with the shipped rules, Alertmanager and Grafana with the dashboard', () => {
    // docker-compose 1.x prints volumes as `source:target:mode`, 2.x as objects: read both.
    const volumes = (name: string) =>
      (config.services[name].volumes as (string | { source: string; target: string })[]).map((v) =>
        typeof v === 'string' ? v.split(':').slice(0, 2).join(':') : `${v.source}:${v.target}`,
      );
    expect(volumes('prometheus')).toContain(`${join(dir, 'deploy/prometheus/alerts.yml')}:/etc/prometheus/alerts.yml`);
    expect(volumes('grafana')).toContain(`${join(dir, 'deploy/grafana/tollgate-dashboard.json')}:/var/lib/grafana/dashboards/tollgate-dashboard.json`);
    const prometheus = YAML.parse(read('deploy/compose/prometheus.yml'));
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(prometheus.scrape_configs[0].job_name).toBe('tollgate');
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
    const promtool = spawnSync('promtool', ['check', 'config', '--syntax-only', join(ROOT, 'deploy/compose/prometheus.yml')], { encoding: 'utf8' });
    expect({ status: promtool.status, out: promtool.stdout + promtool.stderr }).toMatchObject({ status: 0 });
  });
});

describe('deploy/kubernetes', () => {
  type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const render = (path: string): K8sObject[] => {
    const out = spawnSync('kubectl', ['kustomize', join(ROOT, path)], { encoding: 'utf8' });
    expect(out.error).toBeUndefined();
    expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
    return YAML.parseAllDocuments(out.stdout).map((d) => d.toJSON() as K8sObject);
  };
  const overlays = { base: render('deploy/kubernetes/base'), production: render('deploy/kubernetes/overlays/production') };
  const production = overlays.production;
  const find = (kind: string, name: string) => {
    const found = production.find((o) => o.kind === kind && o.metadata.name === name);
    expect(found).toBeDefined();
    return found!;
  };

  /** The kubernetes-models class for an object's apiVersion and kind. */
  const modelOf = (o: K8sObject) => {
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    const module =
      group === 'monitoring.coreos.com'
        ? `@kubernetes-models/prometheus-operator/${o.apiVersion}`
        : group === ''
          ? `kubernetes-models/${version}`
          : `kubernetes-models/${group}/${version}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(module) as Record<string, new (o: unknown) => { validate(): void }>)[o.kind];
  };

  it.each(Object.entries(overlays))('%s: every object is valid against its Kubernetes schema', (_, objects) => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const Model = modelOf(o);
      expect({ kind: o.kind, known: typeof Model }).toEqual({ kind: o.kind, known: 'function' });
      expect(() => new Model(o).validate()).not.toThrow();
    }
  });

  it('a schema violation is caught (the validation is not a no-op)', () => {
    const api = structuredClone(find('Deployment', 'tollgate-api'));
    api.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(() => new (modelOf(api))(api).validate()).toThrow();
  });

  it('has an api Deployment with an autoscaler and a disruption budget, a worker, and a migration Job', () => {
    const api = find('Deployment', 'tollgate-api');
    const podLabels = api.spec.template.metadata.labels;
    const hpa = find('HorizontalPodAutoscaler', 'tollgate-api');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'tollgate-api' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(api.spec.replicas).toBeUndefined();
    const pdb = find('PodDisruptionBudget', 'tollgate-api');
    expect(podLabels).toMatchObject(pdb.spec.selector.matchLabels);
    const role = (o: K8sObject) => o.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'TOLLGATE_ROLE')?.value;
    expect(role(api)).toBe('api');
    expect(role(find('Deployment', 'tollgate-worker'))).toBe('worker');
    expect(find('Job', 'tollgate-migrate').spec.template.spec.containers[0].command).toEqual(['node', 'dist/libs/database/src/migrate.cli.js']);
  });

  it('references secrets and embeds none', () => {
    expect(production.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of production.filter((x) => ['Deployment', 'Job'].includes(x.kind))) {
      const env = o.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
      for (const name of ['DATABASE_URL', 'TOLLGATE_ENCRYPTION_KEY', 'TOLLGATE_EVIDENCE_SIGNING_KEY']) {
        const entry = env.find((e) => e.name === name);
        expect({ name, ref: entry?.valueFrom?.secretKeyRef?.name, value: entry?.value }).toEqual({ name, ref: 'tollgate-secrets', value: undefined });
      }
    }
  });

  it('runs every pod under the restricted Pod Security profile', () => {
    const namespace = find('Namespace', 'tollgate');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const pods = production.filter((o) => ['Deployment', 'Job'].includes(o.kind));
    expect(pods).toHaveLength(3);
    for (const o of pods) {
      const spec = o.spec.template.spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.image).toBe('registry.example.com/tollgate:0.1.0');
      }
    }
  });

  it('lets pods reach only DNS, the database and https outside private ranges', () => {
    const policy = find('NetworkPolicy', 'tollgate');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const ports = (policy.spec.egress as { ports: { port: number }[] }[]).flatMap((rule) => rule.ports.map((p) => p.port));
    expect([...new Set(ports)].sort((a, b) => a - b)).toEqual([53, 443, 5432]);
    const https = policy.spec.egress.find((rule: { ports: { port: number }[] }) => rule.ports.some((p) => p.port === 443));
    expect(https.to[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16', '127.0.0.0/8']));
  });

  it('scrapes api and workers as job "tollgate" and alerts with the rules of deploy/prometheus/alerts.yml', () => {
    const monitor = find('ServiceMonitor', 'tollgate');
    for (const name of ['tollgate-api', 'tollgate-worker']) {
      const service = find('Service', name);
      expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      expect(service.metadata.labels?.[monitor.spec.jobLabel]).toBe('tollgate');
    }
    const rule = find('PrometheusRule', 'tollgate');
    expect(rule.spec.groups).toEqual(YAML.parse(read('deploy/prometheus/alerts.yml')).groups);
    const check = spawnSync('node', [join(ROOT, 'deploy/kubernetes/render-prometheus-rule.cjs'), '--check'], { encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
