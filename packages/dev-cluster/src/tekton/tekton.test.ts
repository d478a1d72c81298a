import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { DevCluster, startDevCluster } from '../server/devCluster';
import { installTekton, tektonAdmission, TektonInstallation } from './index';
import type { PipelineRun, TaskRun } from './types';

/*
 * Tekton docs-style examples run on a real dev cluster, to the outcome the
 * docs describe. Waits are for conditions, with generous bounds.
 */

jest.setTimeout(120_000);

const group = 'tekton.dev';
const version = 'v1';

describe('Tekton in the dev cluster', () => {
  let stateDir: string;
  let cluster: DevCluster;
  let tekton: TektonInstallation;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let counter = 0;
  const namespace = 'default';

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'tekton-test-'));
    // Installed by hand, without the admission plugin, so the controller's
    // own handling of invalid runs can be seen (one test adds the plugin).
    cluster = await startDevCluster({ stateDir, port: 0, tekton: false });
    tekton = await installTekton(cluster, {
      claimsDir: path.join(stateDir, 'claims'),
    });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await tekton?.stop();
    await cluster?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function create(plural: string, body: object): Promise<any> {
    return custom.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      body,
    });
  }

  async function get<T>(plural: string, name: string): Promise<T> {
    return (await custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      name,
    })) as T;
  }

  async function waitFor<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
  ): Promise<T> {
    const deadline = Date.now() + 60_000;
    let last: T | undefined;
    while (Date.now() < deadline) {
      last = await read();
      if (done(last)) return last;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(
      `timed out waiting for ${what}: ${JSON.stringify(last, null, 2)}`,
    );
  }

  const finished = (o: { status?: { conditions?: any[] } }) =>
    o.status?.conditions?.some(
      c => c.type === 'Succeeded' && c.status !== 'Unknown',
    ) ?? false;

  async function runPipeline(
    spec: object,
    extra: object = {},
  ): Promise<PipelineRun> {
    const name = `run-${++counter}`;
    await create('pipelineruns', {
      apiVersion: `${group}/${version}`,
      kind: 'PipelineRun',
      metadata: { name, labels: { 'backstage.io/kubernetes-id': 'demo' } },
      spec: { pipelineSpec: spec, ...extra },
    });
    return waitFor(
      () => get<PipelineRun>('pipelineruns', name),
      finished,
      `PipelineRun ${name}`,
    );
  }

  function condition(o: { status?: { conditions?: any[] } }) {
    const c = o.status!.conditions!.find(x => x.type === 'Succeeded');
    return { status: c.status, reason: c.reason, message: c.message };
  }

  it('passes results between tasks and into pipeline results', async () => {
    await create('tasks', {
      apiVersion: `${group}/${version}`,
      kind: 'Task',
      metadata: { name: 'add', labels: { 'app.kubernetes.io/version': '0.1' } },
      spec: {
        params: [{ name: 'first' }, { name: 'second' }],
        results: [{ name: 'sum' }],
        steps: [
          {
            name: 'add',
            image: 'alpine',
            script:
              '#!/bin/sh\necho -n `expr $(params.first) + $(params.second)` > $(results.sum.path)\n',
          },
        ],
      },
    });
    const run = await runPipeline(
      {
        params: [{ name: 'a', default: '1' }, { name: 'b' }],
        results: [{ name: 'total', value: '$(tasks.second-add.results.sum)' }],
        tasks: [
          {
            name: 'first-add',
            taskRef: { name: 'add' },
            params: [
              { name: 'first', value: '$(params.a)' },
              { name: 'second', value: '$(params.b)' },
            ],
          },
          {
            name: 'second-add',
            taskRef: {
              resolver: 'cluster',
              params: [
                { name: 'kind', value: 'task' },
                { name: 'name', value: 'add' },
                { name: 'namespace', value: 'default' },
              ],
            },
            params: [
              { name: 'first', value: '$(tasks.first-add.results.sum)' },
              { name: 'second', value: '10' },
            ],
          },
        ],
      },
      { params: [{ name: 'b', value: '2' }] },
    );
    expect(condition(run)).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
    });
    expect(run.status!.results).toEqual([{ name: 'total', value: '13' }]);
    expect(run.status!.childReferences!.map(c => c.pipelineTaskName)).toEqual([
      'first-add',
      'second-add',
    ]);
    const taskRun = await get<TaskRun>(
      'taskruns',
      run.status!.childReferences![0].name,
    );
    expect(taskRun.metadata.labels).toMatchObject({
      'tekton.dev/pipelineRun': run.metadata.name,
      'tekton.dev/pipelineTask': 'first-add',
      'tekton.dev/task': 'add',
      'app.kubernetes.io/managed-by': 'tekton-pipelines',
      'backstage.io/kubernetes-id': 'demo',
      'app.kubernetes.io/version': '0.1',
    });
    expect(taskRun.status!.results).toEqual([
      { name: 'sum', type: 'string', value: '3' },
    ]);
    expect(taskRun.status!.steps).toEqual([
      expect.objectContaining({
        name: 'add',
        container: 'step-add',
        terminated: expect.objectContaining({ exitCode: 0 }),
      }),
    ]);
    const pod = await core.readNamespacedPod({
      namespace,
      name: taskRun.status!.podName!,
    });
    expect(pod.metadata!.name).toBe(`${taskRun.metadata.name}-pod`);
    expect(pod.metadata!.labels).toMatchObject({
      'tekton.dev/taskRun': taskRun.metadata.name,
      'tekton.dev/pipelineRun': run.metadata.name,
      'tekton.dev/task': 'add',
      'backstage.io/kubernetes-id': 'demo',
      'app.kubernetes.io/version': '0.1',
    });
  });

  const sh = (name: string, script: string, extra: object = {}) => ({
    name,
    image: 'alpine',
    script,
    ...extra,
  });

  it('skips a task whose when expressions are false, on results and array params', async () => {
    const run = await runPipeline({
      params: [
        { name: 'branches', type: 'array', default: ['main', 'release'] },
      ],
      tasks: [
        {
          name: 'check',
          taskSpec: {
            results: [{ name: 'branch' }],
            steps: [sh('check', 'printf feature > $(results.branch.path)')],
          },
        },
        {
          name: 'deploy',
          when: [
            {
              input: '$(tasks.check.results.branch)',
              operator: 'in',
              values: ['$(params.branches[*])'],
            },
          ],
          taskSpec: { steps: [sh('deploy', 'echo deploying')] },
        },
        {
          name: 'test',
          when: [
            {
              input: '$(tasks.check.results.branch)',
              operator: 'notin',
              values: ['$(params.branches[*])'],
            },
          ],
          taskSpec: { steps: [sh('test', 'echo testing')] },
        },
        {
          name: 'after-deploy',
          runAfter: ['deploy'],
          taskSpec: { steps: [sh('after', 'echo after')] },
        },
      ],
    });
    expect(condition(run)).toEqual({
      status: 'True',
      reason: 'Completed',
      message: 'Tasks Completed: 3 (Failed: 0, Cancelled 0), Skipped: 1',
    });
    expect(run.status!.skippedTasks).toEqual([
      {
        name: 'deploy',
        reason: 'When Expressions evaluated to false',
        whenExpressions: [
          { input: 'feature', operator: 'in', values: ['main', 'release'] },
        ],
      },
    ]);
  });

  it('runs finally tasks after a failure and reports the failure', async () => {
    const run = await runPipeline({
      tasks: [
        {
          name: 'build',
          taskSpec: {
            steps: [
              sh('compile', 'echo compiling; exit 3'),
              sh('package', 'echo never'),
            ],
          },
        },
        {
          name: 'publish',
          runAfter: ['build'],
          taskSpec: { steps: [sh('publish', 'echo publish')] },
        },
      ],
      finally: [
        {
          name: 'notify',
          params: [
            { name: 'aggregate', value: '$(tasks.status)' },
            { name: 'build', value: '$(tasks.build.status)' },
          ],
          taskSpec: {
            params: [{ name: 'aggregate' }, { name: 'build' }],
            results: [{ name: 'seen' }],
            steps: [
              sh(
                'notify',
                'printf "$(params.aggregate)/$(params.build)" > $(results.seen.path)',
              ),
            ],
          },
        },
      ],
      results: [{ name: 'seen', value: '$(tasks.notify.results.seen)' }],
    });
    expect(condition(run)).toEqual({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 1',
    });
    expect(run.status!.skippedTasks).toEqual([
      { name: 'publish', reason: 'PipelineRun was stopping' },
    ]);
    expect(run.status!.results).toEqual([
      { name: 'seen', value: 'Failed/Failed' },
    ]);
    const build = await get<TaskRun>('taskruns', `${run.metadata.name}-build`);
    expect(condition(build)).toEqual({
      status: 'False',
      reason: 'Failed',
      message: `"step-compile" exited with code 3 (image: "${
        build.status!.steps![0].imageID
      }"); for logs run: kubectl -n default logs ${
        build.status!.podName
      } -c step-compile\n`,
    });
    expect(
      build.status!.steps!.map(s => [
        s.name,
        s.terminated?.exitCode,
        s.terminationReason,
      ]),
    ).toEqual([
      ['compile', 3, 'Error'],
      ['package', 1, 'Skipped'],
    ]);
  });

  it('continues after a step with onError: continue and records its exit code', async () => {
    const run = await runPipeline({
      tasks: [
        {
          name: 'lint',
          taskSpec: {
            steps: [
              sh('lint', 'exit 2', { onError: 'continue' }),
              sh('report', 'echo reported'),
            ],
          },
        },
      ],
    });
    expect(condition(run).reason).toBe('Succeeded');
    const lint = await get<TaskRun>('taskruns', `${run.metadata.name}-lint`);
    expect(
      lint.status!.steps!.map(s => [
        s.name,
        s.terminated?.exitCode,
        s.terminationReason,
      ]),
    ).toEqual([
      ['lint', 2, 'Continued'],
      ['report', 0, 'Completed'],
    ]);
  });

  it('ignores the failure of a pipeline task with onError: continue', async () => {
    const run = await runPipeline({
      tasks: [
        {
          name: 'flaky',
          onError: 'continue',
          taskSpec: { steps: [sh('fail', 'exit 1')] },
        },
        {
          name: 'next',
          runAfter: ['flaky'],
          taskSpec: { steps: [sh('ok', 'true')] },
        },
      ],
    });
    expect(condition(run)).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message:
        'Tasks Completed: 2 (Failed: 1 (Ignored: 1), Cancelled 0), Skipped: 0',
    });
    const flaky = await get<TaskRun>('taskruns', `${run.metadata.name}-flaky`);
    expect(condition(flaky)).toMatchObject({
      status: 'False',
      reason: 'FailureIgnored',
    });
  });

  it('times out a task and the pipeline', async () => {
    const run = await runPipeline(
      {
        tasks: [
          { name: 'slow', taskSpec: { steps: [sh('sleep', 'sleep 30')] } },
        ],
      },
      { timeouts: { pipeline: '1s' } },
    );
    expect(condition(run)).toEqual({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: `PipelineRun "${run.metadata.name}" failed to finish within "1s"`,
    });
    const slow = await waitFor(
      () => get<TaskRun>('taskruns', `${run.metadata.name}-slow`),
      finished,
      'the cancelled TaskRun',
    );
    expect(condition(slow)).toEqual({
      status: 'False',
      reason: 'TaskRunCancelled',
      message: `TaskRun "${run.metadata.name}-slow" was cancelled. TaskRun cancelled as the PipelineRun it belongs to has timed out.`,
    });
  });

  it('fails a TaskRun past its own timeout', async () => {
    const run = await runPipeline({
      tasks: [
        {
          name: 'slow',
          timeout: '1s',
          taskSpec: { steps: [sh('sleep', 'sleep 30')] },
        },
      ],
    });
    expect(condition(run).reason).toBe('Failed');
    const slow = await get<TaskRun>('taskruns', `${run.metadata.name}-slow`);
    expect(condition(slow)).toEqual({
      status: 'False',
      reason: 'TaskRunTimeout',
      message: `TaskRun "${run.metadata.name}-slow" failed to finish within "1s"`,
    });
  });

  it('cancels a running PipelineRun', async () => {
    const name = `run-${++counter}`;
    await create('pipelineruns', {
      apiVersion: `${group}/${version}`,
      kind: 'PipelineRun',
      metadata: { name },
      spec: {
        pipelineSpec: {
          tasks: [
            { name: 'slow', taskSpec: { steps: [sh('sleep', 'sleep 30')] } },
          ],
          finally: [
            {
              name: 'cleanup',
              taskSpec: { steps: [sh('cleanup', 'echo cleanup')] },
            },
          ],
        },
      },
    });
    await waitFor(
      () => get<TaskRun>('taskruns', `${name}-slow`).catch(() => undefined),
      tr => tr?.status?.conditions?.[0]?.reason === 'Running',
      'the TaskRun to run',
    );
    await custom.patchNamespacedCustomObject(
      {
        group,
        version,
        plural: 'pipelineruns',
        namespace,
        name,
        body: { spec: { status: 'CancelledRunFinally' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const run = await waitFor(
      () => get<PipelineRun>('pipelineruns', name),
      finished,
      'the cancelled run',
    );
    expect(condition(run)).toEqual({
      status: 'False',
      reason: 'Cancelled',
      message: `PipelineRun "${name}" was cancelled`,
    });
    const cleanup = await get<TaskRun>('taskruns', `${name}-cleanup`);
    expect(condition(cleanup).reason).toBe('Succeeded');
    const slow = await get<TaskRun>('taskruns', `${name}-slow`);
    expect(condition(slow).reason).toBe('TaskRunCancelled');
  });

  it('retries a failing task', async () => {
    const run = await runPipeline(
      {
        workspaces: [{ name: 'state' }],
        tasks: [
          {
            name: 'flaky',
            retries: 2,
            workspaces: [{ name: 'state', workspace: 'state' }],
            taskSpec: {
              workspaces: [{ name: 'state' }],
              steps: [
                sh(
                  'attempt',
                  'echo x >> $(workspaces.state.path)/attempts\n[ "$(context.task.retry-count)" = 1 ]',
                ),
              ],
            },
          },
          {
            name: 'count',
            runAfter: ['flaky'],
            workspaces: [{ name: 'state', workspace: 'state', subPath: '' }],
            taskSpec: {
              workspaces: [{ name: 'state' }],
              results: [{ name: 'attempts' }],
              steps: [
                sh(
                  'count',
                  'wc -l < $(workspaces.state.path)/attempts | tr -d " " | tr -d "\\n" > $(results.attempts.path)',
                ),
              ],
            },
          },
        ],
        results: [
          { name: 'attempts', value: '$(tasks.count.results.attempts)' },
        ],
      },
      {
        workspaces: [
          {
            name: 'state',
            volumeClaimTemplate: {
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: '1Mi' } },
              },
            },
          },
        ],
      },
    );
    expect(condition(run).reason).toBe('Succeeded');
    expect(run.status!.results).toEqual([{ name: 'attempts', value: '2' }]);
    const flaky = await get<TaskRun>('taskruns', `${run.metadata.name}-flaky`);
    expect(flaky.status!.retriesStatus).toHaveLength(1);
    expect(flaky.status!.podName).toBe(`${run.metadata.name}-flaky-pod-retry1`);
  });

  it('keeps a pending run from starting until the field is removed', async () => {
    const name = `run-${++counter}`;
    await create('pipelineruns', {
      apiVersion: `${group}/${version}`,
      kind: 'PipelineRun',
      metadata: { name },
      spec: {
        status: 'PipelineRunPending',
        pipelineSpec: {
          tasks: [{ name: 'a', taskSpec: { steps: [sh('a', 'true')] } }],
        },
      },
    });
    const pending = await waitFor(
      () => get<PipelineRun>('pipelineruns', name),
      r => Boolean(r.status?.conditions),
      'the pending status',
    );
    expect(condition(pending).reason).toBe('PipelineRunPending');
    await custom.patchNamespacedCustomObject(
      {
        group,
        version,
        plural: 'pipelineruns',
        namespace,
        name,
        body: [{ op: 'remove', path: '/spec/status' }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const run = await waitFor(
      () => get<PipelineRun>('pipelineruns', name),
      finished,
      'the run',
    );
    expect(condition(run).reason).toBe('Succeeded');
  });

  it('fails runs of missing pipelines and invalid specs as Tekton does', async () => {
    const missing = `run-${++counter}`;
    await create('pipelineruns', {
      apiVersion: `${group}/${version}`,
      kind: 'PipelineRun',
      metadata: { name: missing },
      spec: { pipelineRef: { name: 'nope' } },
    });
    const run = await waitFor(
      () => get<PipelineRun>('pipelineruns', missing),
      finished,
      'the failed run',
    );
    expect(condition(run)).toEqual({
      status: 'False',
      reason: 'CouldntGetPipeline',
      message: `Error retrieving pipeline for pipelinerun default/${missing}: pipelines.tekton.dev "nope" not found`,
    });
    const cyclic = await runPipeline({
      tasks: [
        { name: 'a', runAfter: ['b'], taskSpec: { steps: [sh('a', 'true')] } },
        { name: 'b', runAfter: ['a'], taskSpec: { steps: [sh('b', 'true')] } },
      ],
    });
    expect(condition(cyclic).reason).toBe('PipelineValidationFailed');
    expect(condition(cyclic).message).toContain('cycle detected');
    const badReference = await runPipeline({
      tasks: [
        {
          name: 'a',
          taskSpec: { results: [{ name: 'out' }], steps: [sh('a', 'true')] },
        },
        {
          name: 'b',
          params: [{ name: 'p', value: '$(tasks.a.results.nope)' }],
          taskSpec: { params: [{ name: 'p' }], steps: [sh('b', 'true')] },
        },
      ],
    });
    expect(condition(badReference)).toEqual({
      status: 'False',
      reason: 'InvalidTaskResultReference',
      message:
        'invalid result reference in pipeline task "b": "nope" is not a named result returned by pipeline task "a"',
    });
  });

  it('mounts configMap and secret workspaces as files', async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'settings' },
        data: { 'app.conf': 'level=debug\nmode=fast' },
      },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'token' }, stringData: { token: 's3cr3t' } },
    });
    const run = await runPipeline(
      {
        workspaces: [{ name: 'config' }, { name: 'credentials' }],
        results: [{ name: 'seen', value: '$(tasks.read.results.seen)' }],
        tasks: [
          {
            name: 'read',
            workspaces: [
              { name: 'config', workspace: 'config' },
              { name: 'credentials', workspace: 'credentials' },
            ],
            taskSpec: {
              workspaces: [
                { name: 'config' },
                { name: 'credentials', mountPath: '/creds' },
              ],
              results: [{ name: 'seen' }],
              steps: [
                sh(
                  'read',
                  'printf "%s|%s" "$(tail -n 1 $(workspaces.config.path)/app.conf)" "$(cat $(workspaces.credentials.path)/token)" > $(results.seen.path)',
                ),
              ],
            },
          },
        ],
      },
      {
        workspaces: [
          { name: 'config', configMap: { name: 'settings' } },
          { name: 'credentials', secret: { secretName: 'token' } },
        ],
      },
    );
    expect(condition(run).reason).toBe('Succeeded');
    expect(run.status!.results).toEqual([
      { name: 'seen', value: 'mode=fast|s3cr3t' },
    ]);
  });

  it('shows Tekton printer columns and short names in kubectl', async () => {
    const kubectl = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          'kubectl',
          ['--kubeconfig', cluster.kubeconfigPath, ...args],
          {
            env: {
              ...process.env,
              KUBECACHEDIR: path.join(stateDir, 'kubecache'),
            },
          },
          (error, stdout, stderr) =>
            error ? reject(new Error(stderr)) : resolve(stdout),
        ),
      );
    const table = await kubectl(['get', 'pr', 'run-1']);
    expect(table.split('\n')[0].split(/\s+/)).toEqual([
      'NAME',
      'SUCCEEDED',
      'REASON',
      'STARTTIME',
      'COMPLETIONTIME',
    ]);
    expect(table.split('\n')[1]).toMatch(/^run-1\s+True\s+Succeeded\s/);
    expect(await kubectl(['get', 'tekton', '-o', 'name'])).toContain(
      'pipelinerun.tekton.dev/run-1',
    );
  });

  it("refuses invalid objects as Tekton's webhook does, once the admission plugin is installed", async () => {
    cluster.server.resources.addAdmissionPlugin(tektonAdmission);
    const attempt = create('pipelines', {
      apiVersion: `${group}/${version}`,
      kind: 'Pipeline',
      metadata: { name: 'cyclic' },
      spec: {
        tasks: [
          { name: 'a', runAfter: ['b'], taskRef: { name: 'add' } },
          { name: 'b', runAfter: ['a'], taskRef: { name: 'add' } },
        ],
      },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 400,
      body: expect.stringContaining(
        'admission webhook \\"validation.webhook.pipeline.tekton.dev\\" denied the request: validation failed: invalid value: cycle detected; task \\"a\\" depends on \\"b\\": spec.tasks',
      ),
    });
  });

  it('runs a TaskRun of its own: object params, stepTemplate, workingDir, context', async () => {
    await create('taskruns', {
      apiVersion: `${group}/${version}`,
      kind: 'TaskRun',
      metadata: { name: 'standalone' },
      spec: {
        params: [
          {
            name: 'repo',
            value: { url: 'https://git.example/app', revision: 'v2' },
          },
        ],
        taskSpec: {
          params: [
            {
              name: 'repo',
              type: 'object',
              properties: {
                url: { type: 'string' },
                revision: { type: 'string' },
              },
            },
          ],
          results: [{ name: 'summary' }],
          stepTemplate: { env: [{ name: 'GREETING', value: 'hello' }] },
          steps: [
            {
              name: 'write',
              image: 'alpine',
              workingDir: '/workspace/checkout',
              script:
                'echo "$GREETING $(params.repo.url)@$(params.repo.revision)" > note.txt',
            },
            {
              name: 'summarise',
              image: 'alpine',
              workingDir: '/workspace/checkout',
              script:
                '#!/usr/bin/env sh\nprintf "%s %s" "$(cat note.txt)" "$(context.taskRun.name)" > $(results.summary.path)',
            },
          ],
        },
      },
    });
    const taskRun = await waitFor(
      () => get<TaskRun>('taskruns', 'standalone'),
      finished,
      'the TaskRun',
    );
    expect(condition(taskRun)).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message: 'All Steps have completed executing',
    });
    expect(taskRun.status!.results).toEqual([
      {
        name: 'summary',
        type: 'string',
        value: 'hello https://git.example/app@v2 standalone',
      },
    ]);
    expect(taskRun.status!.startTime).toBeDefined();
    expect(taskRun.status!.completionTime).toBeDefined();
    const logs = await core.readNamespacedPodLog({
      namespace,
      name: 'standalone-pod',
      container: 'step-write',
    });
    expect(logs).toBe('');
  });

  it('runs scripts and argument-only steps as base images do, with exit code files, old-style params and finally results', async () => {
    const run = await runPipeline(
      {
        params: [{ name: 'word', default: 'same' }],
        results: [
          { name: 'checked', value: '$(tasks.check.results.out)' },
          { name: 'shell', value: '$(tasks.check.results.shell)' },
          { name: 'last', value: '$(finally.wrap-up.results.note)' },
        ],
        tasks: [
          {
            name: 'check',
            params: [{ name: 'word', value: '$(params.word)' }],
            taskSpec: {
              params: [{ name: 'word' }],
              results: [{ name: 'out' }, { name: 'shell' }],
              steps: [
                {
                  name: 'fail',
                  image: 'alpine',
                  onError: 'continue',
                  script: 'exit 3',
                },
                {
                  // busybox ash accepts `==` in `[`; the step's own exit code file and its index link.
                  name: 'compare',
                  image: 'alpine',
                  script: [
                    '#!/usr/bin/env ash',
                    'code=`cat $(steps.step-fail.exitCode.path)`',
                    'if [ "$code" == 3 ] && [ "$(inputs.params.word)" == same ] && [ -f /tekton/steps/0/exitCode ]; then',
                    '  printf ok > $(results.out.path)',
                    'fi',
                  ].join('\n'),
                },
                {
                  // No command: the image's shell runs the args.
                  name: 'args-only',
                  image: 'busybox',
                  args: ['-c', 'printf sh > $(results.shell.path)'],
                },
              ],
            },
          },
          {
            // Uses the run's workspace without binding or declaring it.
            name: 'propagated',
            taskSpec: {
              steps: [sh('touch', 'touch $(workspaces.shared.path)/seen')],
            },
          },
        ],
        finally: [
          {
            name: 'wrap-up',
            taskSpec: {
              results: [{ name: 'note' }],
              steps: [sh('note', 'printf done > $(results.note.path)')],
            },
          },
        ],
      },
      { workspaces: [{ name: 'shared', emptyDir: {} }] },
    );
    expect(condition(run).reason).toBe('Succeeded');
    expect(run.status!.results).toEqual([
      { name: 'checked', value: 'ok' },
      { name: 'shell', value: 'sh' },
      { name: 'last', value: 'done' },
    ]);
    const propagated = await get<TaskRun>(
      'taskruns',
      `${run.metadata.name}-propagated`,
    );
    expect(propagated.spec.workspaces).toEqual([
      { name: 'shared', emptyDir: {} },
    ]);
  });

  it("mounts the Task's volumes and a shared /tekton/home, isolates step workspaces and waits for a sidecar's probe", async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'volume-settings' }, data: { mode: 'quick' } },
    });
    await create('taskruns', {
      apiVersion: `${group}/${version}`,
      kind: 'TaskRun',
      metadata: { name: 'volumes' },
      spec: {
        workspaces: [{ name: 'private', emptyDir: {} }],
        taskSpec: {
          workspaces: [{ name: 'private' }],
          results: [{ name: 'seen' }],
          volumes: [
            { name: 'settings', configMap: { name: 'volume-settings' } },
            { name: 'shared', emptyDir: {} },
          ],
          sidecars: [
            {
              name: 'slow',
              image: 'alpine',
              command: ['sleep', '30'],
              readinessProbe: {
                exec: {
                  command: ['sh', '-c', 'sleep 1 && touch /shared/ready'],
                },
              },
              volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            },
          ],
          steps: [
            {
              name: 'with-private',
              image: 'alpine',
              workspaces: [{ name: 'private', mountPath: '/private' }],
              script: 'touch /private/mine /tekton/home/note',
            },
            {
              name: 'read',
              image: 'alpine',
              volumeMounts: [
                { name: 'settings', mountPath: '/etc/app' },
                { name: 'shared', mountPath: '/shared' },
              ],
              script: [
                '[ -e /shared/ready ]',
                '[ ! -e /private/mine ]',
                '[ -e /tekton/home/note ]',
                'printf "%s" "$(cat /etc/app/mode)" > $(results.seen.path)',
              ].join('\n'),
            },
          ],
        },
      },
    });
    const taskRun = await waitFor(
      () => get<TaskRun>('taskruns', 'volumes'),
      finished,
      'TaskRun volumes',
    );
    expect(condition(taskRun).reason).toBe('Succeeded');
    expect(taskRun.status!.results).toEqual([
      { name: 'seen', type: 'string', value: 'quick' },
    ]);
  });

  it('runs a step that refers to a StepAction, with its params from the step and its results', async () => {
    await custom.createNamespacedCustomObject({
      group,
      version: 'v1beta1',
      plural: 'stepactions',
      namespace,
      body: {
        apiVersion: `${group}/v1beta1`,
        kind: 'StepAction',
        metadata: { name: 'describe' },
        spec: {
          params: [
            { name: 'who' },
            { name: 'tags', type: 'array', default: ['default'] },
            {
              name: 'place',
              type: 'object',
              properties: { city: {}, country: {} },
              default: { city: 'Lyon', country: 'FR' },
            },
          ],
          image: 'alpine',
          env: [
            { name: 'WHO', value: '$(params.who)' },
            { name: 'FIRST_TAG', value: '$(params.tags[0])' },
            {
              name: 'PLACE',
              value: '$(params.place.city),$(params.place.country)',
            },
          ],
          script:
            'printf "%s %s %s %s" "$WHO" "$FIRST_TAG" "$PLACE" "$FROM_TEMPLATE" > /tekton/results/summary\nprintf "from the step" > $(step.results.note.path)',
          results: [{ name: 'note' }],
        },
      },
    });
    await create('taskruns', {
      apiVersion: `${group}/${version}`,
      kind: 'TaskRun',
      metadata: { name: 'with-step-action' },
      spec: {
        params: [
          { name: 'tags', value: ['first', 'second'] },
          { name: 'city', value: 'Oslo' },
        ],
        taskSpec: {
          params: [{ name: 'tags', type: 'array' }, { name: 'city' }],
          results: [
            { name: 'summary' },
            // A step result becomes a Task result.
            { name: 'note', value: '$(steps.act.results.note)' },
          ],
          stepTemplate: { env: [{ name: 'FROM_TEMPLATE', value: 'kept' }] },
          steps: [
            {
              name: 'act',
              ref: { name: 'describe' },
              params: [
                { name: 'who', value: 'ada' },
                { name: 'tags', value: '$(params.tags[*])' },
                { name: 'place', value: { city: '$(params.city)' } },
              ],
            },
          ],
        },
      },
    });
    const taskRun = await waitFor(
      () => get<TaskRun>('taskruns', 'with-step-action'),
      finished,
      'TaskRun with-step-action',
    );
    expect(condition(taskRun).reason).toBe('Succeeded');
    expect(taskRun.status!.results).toEqual([
      { name: 'summary', type: 'string', value: 'ada first Oslo,FR kept' },
      { name: 'note', type: 'string', value: 'from the step' },
    ]);
  });

  it('runs sidecars beside the steps and stops them after the last step', async () => {
    const run = await runPipeline({
      results: [
        { name: 'greeting', value: '$(tasks.use-sidecar.results.greeting)' },
      ],
      tasks: [
        {
          name: 'use-sidecar',
          taskSpec: {
            results: [{ name: 'greeting' }],
            sidecars: [
              {
                name: 'server',
                image: 'alpine',
                script:
                  'echo hello-from-sidecar > /workspace/served.txt\nsleep 60',
              },
            ],
            steps: [
              sh(
                'read',
                'while [ ! -e /workspace/served.txt ]; do sleep 0.1; done\ntr -d "\\n" < /workspace/served.txt > $(results.greeting.path)',
              ),
            ],
          },
        },
      ],
    });
    expect(condition(run).reason).toBe('Succeeded');
    expect(run.status!.results).toEqual([
      { name: 'greeting', value: 'hello-from-sidecar' },
    ]);
    const taskRun = await get<TaskRun>(
      'taskruns',
      `${run.metadata.name}-use-sidecar`,
    );
    expect(
      taskRun.status!.sidecars!.map(s => [
        s.name,
        s.container,
        Boolean(s.terminated),
      ]),
    ).toEqual([
      ['server', 'sidecar-server', true],
      ['tekton-log-results', 'sidecar-tekton-log-results', true],
    ]);
  });

  it('fails a step past its own timeout', async () => {
    const run = await runPipeline({
      tasks: [
        {
          name: 'slow-step',
          taskSpec: { steps: [sh('wait', 'sleep 30', { timeout: '500ms' })] },
        },
      ],
    });
    expect(condition(run).reason).toBe('Failed');
    const taskRun = await get<TaskRun>(
      'taskruns',
      `${run.metadata.name}-slow-step`,
    );
    expect(condition(taskRun)).toEqual({
      status: 'False',
      reason: 'Failed',
      message: `"step-wait" exited because the step exceeded the specified timeout limit; for logs run: kubectl -n default logs ${
        taskRun.status!.podName
      } -c step-wait\n`,
    });
    expect(taskRun.status!.steps![0].terminationReason).toBe('TimeoutExceeded');
  });

  it('fans a matrix out into TaskRuns and gathers their results', async () => {
    const run = await runPipeline({
      params: [{ name: 'platforms', type: 'array', default: ['linux', 'mac'] }],
      results: [{ name: 'built', value: '$(tasks.report.results.built)' }],
      tasks: [
        {
          name: 'build',
          matrix: {
            params: [
              { name: 'platform', value: ['$(params.platforms[*])'] },
              { name: 'arch', value: ['amd64', 'arm64'] },
            ],
          },
          taskSpec: {
            params: [{ name: 'platform' }, { name: 'arch' }],
            results: [{ name: 'artifact' }],
            steps: [
              sh(
                'build',
                'printf "$(params.platform)-$(params.arch)" > $(results.artifact.path)',
              ),
            ],
          },
        },
        {
          name: 'report',
          params: [
            {
              name: 'artifacts',
              value: ['$(tasks.build.results.artifact[*])'],
            },
          ],
          taskSpec: {
            params: [{ name: 'artifacts', type: 'array' }],
            results: [{ name: 'built' }],
            steps: [
              {
                name: 'report',
                image: 'alpine',
                command: [
                  'sh',
                  '-c',
                  'printf "%s " "$@" > /tekton/results/built',
                  'report',
                ],
                args: ['$(params.artifacts[*])'],
              },
            ],
          },
        },
      ],
    });
    expect(condition(run)).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
    });
    expect(run.status!.childReferences!.map(c => c.name)).toEqual([
      `${run.metadata.name}-build-0`,
      `${run.metadata.name}-build-1`,
      `${run.metadata.name}-build-2`,
      `${run.metadata.name}-build-3`,
      `${run.metadata.name}-report`,
    ]);
    expect(run.status!.results).toEqual([
      { name: 'built', value: 'linux-amd64 mac-amd64 linux-arm64 mac-arm64 ' },
    ]);
  });
});
