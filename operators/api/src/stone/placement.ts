import type {
  V1Affinity,
  V1NodeSelectorRequirement,
  V1PreferredSchedulingTerm,
} from '@kubernetes/client-node';
import { LABEL_HOSTNAME, LABEL_ZONE } from './constants';
import { StoneCoordinate } from './types';

/** Weights of the preferred node affinity terms: the listed host first, then its rack. @public */
export const HOST_PREFERENCE_WEIGHT = 100;
/** @public */
export const RACK_PREFERENCE_WEIGHT = 50;

/**
 * The affinity of a pod placed at `coordinate`: its zone is required, its
 * rack and host preferred, so replacements for a lost rack land on the
 * zone's other racks. The user's own affinity is kept: the zone requirement
 * is added to each of the user's required terms (terms are ORed, so adding
 * it to all of them ANDs it), preferences are appended, pod (anti-)affinity
 * is untouched.
 * @public
 */
export function placementAffinity(
  coordinate: StoneCoordinate,
  rackLabel: string,
  userAffinity: V1Affinity | undefined,
): V1Affinity {
  const zoneRequirement: V1NodeSelectorRequirement = {
    key: LABEL_ZONE,
    operator: 'In',
    values: [coordinate.zone],
  };
  const userNodeAffinity = userAffinity?.nodeAffinity;
  const userTerms =
    userNodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  const nodeSelectorTerms =
    userTerms.length === 0
      ? [{ matchExpressions: [zoneRequirement] }]
      : userTerms.map(term => ({
          ...term,
          matchExpressions: [...(term.matchExpressions ?? []), zoneRequirement],
        }));

  const preferred: V1PreferredSchedulingTerm[] = [];
  if (coordinate.host) {
    preferred.push({
      weight: HOST_PREFERENCE_WEIGHT,
      preference: {
        matchExpressions: [
          { key: LABEL_HOSTNAME, operator: 'In', values: [coordinate.host] },
        ],
      },
    });
  }
  if (coordinate.rack) {
    preferred.push({
      weight: RACK_PREFERENCE_WEIGHT,
      preference: {
        matchExpressions: [
          { key: rackLabel, operator: 'In', values: [coordinate.rack] },
        ],
      },
    });
  }

  return {
    ...userAffinity,
    nodeAffinity: {
      ...userNodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms },
      preferredDuringSchedulingIgnoredDuringExecution: [
        ...(userNodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ??
          []),
        ...preferred,
      ],
    },
  };
}
