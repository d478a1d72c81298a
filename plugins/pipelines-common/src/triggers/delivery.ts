/**
 * Git webhook deliveries of GitHub, GitLab and Gitea/Forgejo, normalized to
 * one shape. Field names and action words follow Pipelines-as-Code's
 * providers (tektoncd/pipelines-as-code pkg/provider/*).
 */

/** The Git servers whose webhooks start pipelines. @public */
export type GitProvider = 'github' | 'gitlab' | 'gitea';

/** @public */
export const GIT_PROVIDERS: readonly GitProvider[] = [
  'github',
  'gitlab',
  'gitea',
];

/** The events a Pipeline can be triggered by (PaC's words). @public */
export type TriggerEventType = 'push' | 'pull_request';

/** @public */
export const TRIGGER_EVENT_TYPES: readonly TriggerEventType[] = [
  'push',
  'pull_request',
];

/** A push or pull/merge request, whatever the provider said it in. @public */
export interface GitDelivery {
  provider: GitProvider;
  /** X-GitHub-Delivery, X-Gitlab-Event-UUID or X-Gitea-Delivery. */
  deliveryId: string;
  event: TriggerEventType;
  /** The provider's action word of a pull request (`opened`, `update`…). */
  action?: string;
  /** The repository's web URL, as the provider gave it. */
  repositoryUrl: string;
  repoOwner: string;
  repoName: string;
  /** The full ref: `refs/heads/main`, `refs/tags/v1`; a PR's source branch. */
  ref: string;
  /** The pushed branch or the PR's source branch; unset for a tag. */
  branch?: string;
  /** The pushed tag's name. */
  tag?: string;
  /**
   * What `on-target-branch` is matched against: the pushed branch, or
   * `refs/tags/<tag>` for a tag, or the PR's base branch.
   */
  targetBranch: string;
  /** The pushed commit or the PR's head commit. */
  sha: string;
  /** A link to that commit, when the payload has one. */
  commitUrl?: string;
  /** The login of who pushed or opened/updated the PR. */
  sender: string;
  pullRequest?: { number: number; url: string };
  /**
   * The files the push added, modified or removed, when the payload lists
   * all of them; unset when it cannot (pull requests, truncated commit lists).
   */
  changedFiles?: string[];
}

/**
 * Outcome of reading a delivery: a push/PR to match against Pipelines, or a
 * delivery that never starts anything (another event, a closed PR, a
 * deleted branch), with why.
 * @public
 */
export type ReadDeliveryResult =
  | { kind: 'delivery'; delivery: GitDelivery }
  | { kind: 'ignored'; event: string; reason: string };

/** A payload that lacks what its event must carry. @public */
export class WebhookPayloadError extends Error {
  readonly name = 'WebhookPayloadError';
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** The delivery id header of each provider (Forgejo also sends Gitea's). */
export const DELIVERY_ID_HEADERS: Record<GitProvider, string[]> = {
  github: ['x-github-delivery'],
  gitlab: ['x-gitlab-event-uuid'],
  gitea: ['x-gitea-delivery', 'x-forgejo-delivery'],
};

/** The event name header of each provider. */
export const EVENT_HEADERS: Record<GitProvider, string[]> = {
  github: ['x-github-event'],
  gitlab: ['x-gitlab-event'],
  gitea: ['x-gitea-event', 'x-forgejo-event'],
};

/** The delivery id of a request's headers, or undefined. @public */
export function deliveryIdOf(
  provider: GitProvider,
  headers: Headers,
): string | undefined {
  for (const name of DELIVERY_ID_HEADERS[provider]) {
    const value = header(headers, name);
    if (value) return value;
  }
  return undefined;
}

/** The provider's event name of a request's headers, or undefined. @public */
export function eventNameOf(
  provider: GitProvider,
  headers: Headers,
): string | undefined {
  for (const name of EVENT_HEADERS[provider]) {
    const value = header(headers, name);
    if (value) return value;
  }
  return undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `path` of `payload`: a non-empty string or number, or undefined. */
function optional(payload: Json, path: string): string | undefined {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    value = isObject(value) ? value[key] : undefined;
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads `path` of `payload` and insists on a non-empty string or number.
 * (Optional fields are read without throwing: an Error with its stack for
 * each absent field showed in the webhooks benchmark's CPU profile.)
 */
function required(payload: Json, path: string): string {
  const value = optional(payload, path);
  if (value === undefined) {
    throw new WebhookPayloadError(`the payload has no ${path}`);
  }
  return value;
}

const ZERO_SHA = /^0+$/;

/**
 * The files a push's commits added, modified or removed; undefined when the
 * payload does not list every commit (GitLab and GitHub cap the list).
 */
function pushChangedFiles(payload: Json): string[] | undefined {
  const commits = payload.commits;
  if (!Array.isArray(commits)) return undefined;
  const total = payload.total_commits_count;
  if (typeof total === 'number' && total > commits.length) return undefined;
  const files = new Set<string>();
  for (const commit of commits) {
    if (!isObject(commit)) continue;
    const lists = [commit.added, commit.modified, commit.removed];
    // A commit without file lists (Gitea before 1.17) makes the set unknown.
    if (lists.every(list => list === undefined)) return undefined;
    for (const list of lists) {
      if (Array.isArray(list)) {
        for (const file of list) if (typeof file === 'string') files.add(file);
      }
    }
  }
  return [...files].sort();
}

function splitRef(ref: string): { branch?: string; tag?: string } {
  if (ref.startsWith('refs/heads/')) {
    return { branch: ref.slice('refs/heads/'.length) };
  }
  if (ref.startsWith('refs/tags/')) {
    return { tag: ref.slice('refs/tags/'.length) };
  }
  throw new WebhookPayloadError(
    `the pushed ref ${ref} is neither a branch nor a tag`,
  );
}

function pushFields(
  ref: string,
): Pick<GitDelivery, 'ref' | 'branch' | 'tag' | 'targetBranch'> {
  const { branch, tag } = splitRef(ref);
  return { ref, branch, tag, targetBranch: branch ?? ref };
}

/** Owner and name of `group/subgroup/project`: the last segment is the name. */
function splitPath(path: string): { repoOwner: string; repoName: string } {
  const slash = path.lastIndexOf('/');
  if (slash <= 0) {
    throw new WebhookPayloadError(
      `the repository path ${path} has no owner/name`,
    );
  }
  return { repoOwner: path.slice(0, slash), repoName: path.slice(slash + 1) };
}

/** PR actions that bring new commits to build (PaC's list per provider). */
const PULL_REQUEST_ACTIONS: Record<GitProvider, string[]> = {
  github: ['opened', 'reopened', 'synchronize'],
  gitlab: ['open', 'reopen', 'update'],
  gitea: ['opened', 'reopened', 'synchronized'],
};

function ignoredAction(provider: GitProvider, action: string) {
  return {
    kind: 'ignored' as const,
    event: 'pull_request',
    reason: `pull request action "${action}" does not start pipelines (only ${PULL_REQUEST_ACTIONS[
      provider
    ].join(', ')})`,
  };
}

function readGithub(event: string, deliveryId: string, payload: Json) {
  const repository = {
    provider: 'github' as const,
    deliveryId,
    repositoryUrl: required(payload, 'repository.html_url'),
    repoOwner: required(payload, 'repository.owner.login'),
    repoName: required(payload, 'repository.name'),
    sender: required(payload, 'sender.login'),
  };
  if (event === 'push') {
    const sha = required(payload, 'after');
    if (payload.deleted === true || ZERO_SHA.test(sha)) {
      return deletedRef(required(payload, 'ref'));
    }
    return delivery({
      ...repository,
      event: 'push',
      ...pushFields(required(payload, 'ref')),
      sha,
      commitUrl: optional(payload, 'head_commit.url'),
      changedFiles: pushChangedFiles(payload),
    });
  }
  const action = required(payload, 'action');
  if (!PULL_REQUEST_ACTIONS.github.includes(action)) {
    return ignoredAction('github', action);
  }
  return delivery({
    ...repository,
    ...pullRequestFields(
      action,
      required(payload, 'number'),
      required(payload, 'pull_request.html_url'),
      required(payload, 'pull_request.head.ref'),
      required(payload, 'pull_request.base.ref'),
      required(payload, 'pull_request.head.sha'),
    ),
    commitUrl: `${repository.repositoryUrl}/commit/${required(
      payload,
      'pull_request.head.sha',
    )}`,
  });
}

function readGitlab(event: string, deliveryId: string, payload: Json) {
  const project = {
    provider: 'gitlab' as const,
    deliveryId,
    repositoryUrl: required(payload, 'project.web_url'),
    ...splitPath(required(payload, 'project.path_with_namespace')),
  };
  if (event === 'push') {
    const sha = optional(payload, 'checkout_sha') ?? required(payload, 'after');
    const ref = required(payload, 'ref');
    if (ZERO_SHA.test(required(payload, 'after'))) return deletedRef(ref);
    const commits = Array.isArray(payload.commits) ? payload.commits : [];
    const head = commits.find(c => isObject(c) && c.id === sha) as
      | Json
      | undefined;
    return delivery({
      ...project,
      event: 'push',
      ...pushFields(ref),
      sha,
      commitUrl: head ? optional(head, 'url') : undefined,
      sender: required(payload, 'user_username'),
      changedFiles: pushChangedFiles(payload),
    });
  }
  const action = required(payload, 'object_attributes.action');
  if (!PULL_REQUEST_ACTIONS.gitlab.includes(action)) {
    return ignoredAction('gitlab', action);
  }
  // An update without oldrev changed the title, labels… but no commits.
  if (action === 'update' && !optional(payload, 'object_attributes.oldrev')) {
    return {
      kind: 'ignored' as const,
      event: 'pull_request',
      reason: 'merge request update without new commits',
    };
  }
  return delivery({
    ...project,
    ...pullRequestFields(
      action,
      required(payload, 'object_attributes.iid'),
      required(payload, 'object_attributes.url'),
      required(payload, 'object_attributes.source_branch'),
      required(payload, 'object_attributes.target_branch'),
      required(payload, 'object_attributes.last_commit.id'),
    ),
    commitUrl: optional(payload, 'object_attributes.last_commit.url'),
    sender: required(payload, 'user.username'),
  });
}

function readGitea(event: string, deliveryId: string, payload: Json) {
  const repository = {
    provider: 'gitea' as const,
    deliveryId,
    repositoryUrl: required(payload, 'repository.html_url'),
    repoOwner:
      optional(payload, 'repository.owner.login') ??
      required(payload, 'repository.owner.username'),
    repoName: required(payload, 'repository.name'),
    sender:
      optional(payload, 'sender.login') ?? required(payload, 'sender.username'),
  };
  if (event === 'push') {
    const sha = required(payload, 'after');
    if (ZERO_SHA.test(sha)) return deletedRef(required(payload, 'ref'));
    return delivery({
      ...repository,
      event: 'push',
      ...pushFields(required(payload, 'ref')),
      sha,
      commitUrl: `${repository.repositoryUrl}/commit/${sha}`,
      changedFiles: pushChangedFiles(payload),
    });
  }
  const action = required(payload, 'action');
  if (!PULL_REQUEST_ACTIONS.gitea.includes(action)) {
    return ignoredAction('gitea', action);
  }
  const sha = required(payload, 'pull_request.head.sha');
  return delivery({
    ...repository,
    ...pullRequestFields(
      action,
      required(payload, 'number'),
      required(payload, 'pull_request.html_url'),
      required(payload, 'pull_request.head.ref'),
      required(payload, 'pull_request.base.ref'),
      sha,
    ),
    commitUrl: `${repository.repositoryUrl}/commit/${sha}`,
  });
}

function pullRequestFields(
  action: string,
  number: string,
  url: string,
  sourceBranch: string,
  targetBranch: string,
  sha: string,
) {
  return {
    event: 'pull_request' as const,
    action,
    ref: `refs/heads/${sourceBranch}`,
    branch: sourceBranch,
    targetBranch,
    sha,
    pullRequest: { number: Number(number), url },
  };
}

function delivery(value: GitDelivery): ReadDeliveryResult {
  return { kind: 'delivery', delivery: value };
}

function deletedRef(ref: string): ReadDeliveryResult {
  return { kind: 'ignored', event: 'push', reason: `${ref} was deleted` };
}

/** The provider's event words for a push and a pull/merge request. */
function eventTypeOf(
  provider: GitProvider,
  eventName: string,
): TriggerEventType | undefined {
  switch (provider) {
    case 'github':
      if (eventName === 'push') return 'push';
      return eventName === 'pull_request' ? 'pull_request' : undefined;
    case 'gitlab':
      if (eventName === 'Push Hook' || eventName === 'Tag Push Hook') {
        return 'push';
      }
      return eventName === 'Merge Request Hook' ? 'pull_request' : undefined;
    case 'gitea':
      // Gitea names a push to a PR's branch `pull_request_sync` in some
      // versions (X-Gitea-Event-Type always; X-Gitea-Event in 1.2x).
      if (eventName === 'push') return 'push';
      return eventName === 'pull_request' || eventName === 'pull_request_sync'
        ? 'pull_request'
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Reads a delivery from its provider, headers (lower-cased names, as Node
 * gives them) and parsed JSON payload. Throws WebhookPayloadError when the
 * delivery id is missing or the payload lacks what its event carries.
 * @public
 */
export function readDelivery(
  provider: GitProvider,
  headers: Headers,
  payload: unknown,
): ReadDeliveryResult {
  const deliveryId = deliveryIdOf(provider, headers);
  if (!deliveryId) {
    throw new WebhookPayloadError(
      `the delivery has no ${DELIVERY_ID_HEADERS[provider][0]} header`,
    );
  }
  const eventName = eventNameOf(provider, headers);
  if (!eventName) {
    throw new WebhookPayloadError(
      `the delivery has no ${EVENT_HEADERS[provider][0]} header`,
    );
  }
  const event = eventTypeOf(provider, eventName);
  if (!event) {
    return {
      kind: 'ignored',
      event: eventName,
      reason: `${eventName} events do not start pipelines (only pushes and pull/merge requests)`,
    };
  }
  if (!isObject(payload)) {
    throw new WebhookPayloadError('the payload is not a JSON object');
  }
  switch (provider) {
    case 'github':
      return readGithub(event, deliveryId, payload);
    case 'gitlab':
      return readGitlab(event, deliveryId, payload);
    default:
      return readGitea(event, deliveryId, payload);
  }
}
