import type {
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodTemplateSpec,
  V1Service,
  V1Volume,
} from '@kubernetes/client-node';
import {
  CONDITION_IN_PLACE_READY,
  LABEL_GROUP,
  LABEL_POD_INDEX,
  LABEL_REVISION,
  LABEL_STONE,
} from './constants';
import { placementAffinity } from './placement';
import { stoneOwnerReference } from './revisions';
import { coordinateOf } from './stages';
import { Stone, StoneCoordinatesGroup } from './types';

/*
 * The objects a Stone owns, as the controller creates them: pods with stable
 * names, their PersistentVolumeClaims, and the Services.
 */

/** `<stone>-<group>-<index>`. @public */
export function podName(stone: string, group: string, index: number): string {
  return `${stone}-${group}-${index}`;
}

/** A pod's claim from a volumeClaimTemplate, named as a StatefulSet names it. @public */
export function claimName(claim: string, pod: string): string {
  return `${claim}-${pod}`;
}

/** The labels that tie a pod to its Stone, group and index. @public */
export function podIdentityLabels(
  stone: string,
  group: string,
  index: number,
): Record<string, string> {
  return {
    [LABEL_STONE]: stone,
    [LABEL_GROUP]: group,
    [LABEL_POD_INDEX]: String(index),
  };
}

/**
 * Pod `index` of `group`, of the revision `revisionName` whose template is
 * `template`: placed at the group's coordinate, with the in-place readiness
 * gate, and with the claims of `volumeClaimTemplates` mounted in place of
 * the template's volumes of the same name.
 * @public
 */
export function buildPod(options: {
  stone: Stone;
  group: StoneCoordinatesGroup;
  index: number;
  revisionName: string;
  template: V1PodTemplateSpec;
  rackLabel: string;
}): V1Pod {
  const { stone, group, index, revisionName, template, rackLabel } = options;
  const stoneName = stone.metadata.name!;
  const name = podName(stoneName, group.group, index);
  const spec = template.spec!;
  const claims = stone.spec.volumeClaimTemplates ?? [];
  const claimVolumes: V1Volume[] = claims.map(claim => ({
    name: claim.metadata!.name!,
    persistentVolumeClaim: {
      claimName: claimName(claim.metadata!.name!, name),
    },
  }));
  const volumes = [
    ...(spec.volumes ?? []).filter(
      v => !claims.some(c => c.metadata!.name === v.name),
    ),
    ...claimVolumes,
  ];
  const gates = spec.readinessGates ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: stone.metadata.namespace,
      labels: {
        ...template.metadata?.labels,
        ...podIdentityLabels(stoneName, group.group, index),
        [LABEL_REVISION]: revisionName,
      },
      annotations: { ...template.metadata?.annotations },
      ownerReferences: [stoneOwnerReference(stone)],
    },
    spec: {
      ...spec,
      affinity: placementAffinity(
        coordinateOf(group, index),
        rackLabel,
        spec.affinity,
      ),
      readinessGates: gates.some(
        g => g.conditionType === CONDITION_IN_PLACE_READY,
      )
        ? gates
        : [...gates, { conditionType: CONDITION_IN_PLACE_READY }],
      ...(volumes.length ? { volumes } : {}),
    },
  };
}

/** The claims of pod `index` of `group`; kept across updates and removals, as a StatefulSet keeps them. @public */
export function buildClaims(
  stone: Stone,
  group: string,
  index: number,
): V1PersistentVolumeClaim[] {
  const stoneName = stone.metadata.name!;
  const pod = podName(stoneName, group, index);
  return (stone.spec.volumeClaimTemplates ?? []).map(claim => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      ...claim.metadata,
      name: claimName(claim.metadata!.name!, pod),
      namespace: stone.metadata.namespace,
      labels: {
        ...claim.metadata?.labels,
        [LABEL_STONE]: stoneName,
        [LABEL_GROUP]: group,
      },
    },
    spec: claim.spec,
  }));
}

/**
 * The Services of a Stone with a `spec.service`: `<stone>` selects all its
 * pods, `<stone>-<group>` only that group's. A fixed `clusterIP` other than
 * None cannot be shared, so only None is passed on.
 * @public
 */
export function buildServices(stone: Stone): V1Service[] {
  const service = stone.spec.service;
  if (!service) return [];
  const stoneName = stone.metadata.name!;
  const { clusterIP, clusterIPs, selector, ...rest } = service;
  const headless = clusterIP === 'None' ? { clusterIP: 'None' } : {};
  const build = (name: string, labels: Record<string, string>): V1Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: stone.metadata.namespace,
      labels,
      ownerReferences: [stoneOwnerReference(stone)],
    },
    spec: { ...rest, ...headless, selector: labels },
  });
  return [
    build(stoneName, { [LABEL_STONE]: stoneName }),
    ...stone.spec.coordinates.map(g =>
      build(`${stoneName}-${g.group}`, {
        [LABEL_STONE]: stoneName,
        [LABEL_GROUP]: g.group,
      }),
    ),
  ];
}
