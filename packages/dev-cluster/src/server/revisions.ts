import type { ObjectStore } from '../store/objectStore';
import { deepClone, jsonEqual } from './objects';
import { podTemplateHash } from './replication';
import type { ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';

/*
 * The ControllerRevisions of a StatefulSet or DaemonSet, kept as
 * kube-controller-manager keeps them (controller history): each holds the
 * owner's pod template as a patch that replaces it (what `kubectl rollout
 * undo` applies), is named <owner>-<hash of that patch> and numbered in
 * order; going back to an older template renumbers its revision as the
 * newest.
 */

/** The pod template a revision holds. */
export function revisionTemplate(revision: any): any {
  const { $patch, ...template } = revision.data?.spec?.template ?? {};
  return template;
}

/** The owner's revisions, oldest first, and the one of its current template (created if new). */
export function syncRevisions(
  resources: ResourceService,
  type: ResourceType,
  store: ObjectStore,
  owner: any,
  revisionLabels: (hash: string) => Record<string, string>,
  ctx: RequestContext,
): { all: any[]; update: any } {
  const namespace = owner.metadata.namespace;
  const all = store
    .list('apps/controllerrevisions', { namespace })
    .items.filter(
      r =>
        r.metadata.ownerReferences?.find(o => o.controller)?.uid ===
        owner.metadata.uid,
    )
    .sort((a: any, b: any) => (a.revision ?? 0) - (b.revision ?? 0)) as any[];
  const latest = all.length ? all[all.length - 1].revision ?? 0 : 0;
  const index = all.findIndex(r =>
    jsonEqual(revisionTemplate(r), owner.spec.template),
  );
  if (index >= 0 && index !== all.length - 1) {
    // Back to an older template (rollout undo): it becomes the newest revision.
    const [older] = all.splice(index, 1);
    all.push(
      resources.write(
        type,
        namespace,
        older.metadata.name,
        '',
        older,
        { ...older, revision: latest + 1 },
        ctx,
      ),
    );
  } else if (index < 0) {
    const data = {
      spec: {
        template: { ...deepClone(owner.spec.template), $patch: 'replace' },
      },
    };
    const hash = podTemplateHash(data, owner.status?.collisionCount);
    all.push(
      resources.create(
        type,
        namespace,
        {
          metadata: {
            name: `${owner.metadata.name}-${hash}`,
            labels: {
              ...(owner.spec.template?.metadata?.labels ?? {}),
              ...revisionLabels(hash),
            },
            ownerReferences: [
              {
                apiVersion: owner.apiVersion,
                kind: owner.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          data,
          revision: latest + 1,
        },
        ctx,
      ),
    );
  }
  return { all, update: all[all.length - 1] };
}
