import path from 'node:path';
import { BackendFeature } from '@backstage/backend-plugin-api';

/**
 * The modules of a Git provider's events package by file (e.g.
 * `eventsModuleGithubWebhook.cjs.js`). Its index loads them with a dynamic
 * import(), which Jest cannot run.
 */
export function providerModules(
  pkg: string,
  files: string[],
): BackendFeature[] {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  return files.map(
    file => require(path.join(dir, 'dist/service', file)).default,
  );
}

/** GitHub's webhook ingress (X-Hub-Signature-256) and its event router. */
export const githubEventsModules = () =>
  providerModules('@backstage/plugin-events-backend-module-github', [
    'eventsModuleGithubWebhook.cjs.js',
    'eventsModuleGithubEventRouter.cjs.js',
  ]);

/** GitLab's webhook ingress (X-Gitlab-Token) and its event router. */
export const gitlabEventsModules = () =>
  providerModules('@backstage/plugin-events-backend-module-gitlab', [
    'eventsModuleGitlabWebhook.cjs.js',
    'eventsModuleGitlabEventRouter.cjs.js',
  ]);
