import { STONE_DEFAULTS } from './constants';
import {
  StoneSpec,
  StoneUpdateType,
  STONE_STAGES,
  STONE_UPDATE_TYPES,
} from './types';

/*
 * What the schema cannot say about a Stone's spec, and its defaults.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PERCENT = /^(\d+)%$/;

/** The problems of a spec, in Kubernetes' field-error wording; empty when valid. @public */
export function validateStoneSpec(spec: StoneSpec): string[] {
  const problems: string[] = [];
  if (!STONE_STAGES.includes(spec.strategy)) {
    problems.push(
      `spec.strategy: Unsupported value: "${
        spec.strategy
      }": supported values: ${STONE_STAGES.map(s => `"${s}"`).join(', ')}`,
    );
  }
  if (!spec.template?.spec?.containers?.length) {
    problems.push('spec.template.spec.containers: Required value');
  }
  const seen = new Set<string>();
  (spec.coordinates ?? []).forEach((group, i) => {
    const path = `spec.coordinates[${i}]`;
    if (!DNS_LABEL.test(group.group ?? '')) {
      problems.push(
        `${path}.group: Invalid value: "${group.group}": must be a lowercase DNS label`,
      );
    } else if (seen.has(group.group)) {
      problems.push(`${path}.group: Duplicate value: "${group.group}"`);
    }
    seen.add(group.group);
    if (!Number.isInteger(group.replicas) || group.replicas < 0) {
      problems.push(
        `${path}.replicas: Invalid value: ${group.replicas}: must be a non-negative integer`,
      );
    }
    if (!group.zoneset?.length) {
      problems.push(`${path}.zoneset: Required value`);
    } else {
      group.zoneset.forEach((c, j) => {
        if (!c.zone) {
          problems.push(`${path}.zoneset[${j}].zone: Required value`);
        }
      });
    }
  });
  const type = spec.updateStrategy?.type;
  if (type !== undefined && !STONE_UPDATE_TYPES.includes(type)) {
    problems.push(
      `spec.updateStrategy.type: Unsupported value: "${type}": supported values: ${STONE_UPDATE_TYPES.map(
        s => `"${s}"`,
      ).join(', ')}`,
    );
  }
  const maxUnavailable = spec.updateStrategy?.maxUnavailable;
  if (
    maxUnavailable !== undefined &&
    !(typeof maxUnavailable === 'number'
      ? Number.isInteger(maxUnavailable) && maxUnavailable >= 0
      : PERCENT.test(maxUnavailable))
  ) {
    problems.push(
      `spec.updateStrategy.maxUnavailable: Invalid value: "${maxUnavailable}": must be a non-negative integer or a percentage like "20%"`,
    );
  }
  return problems;
}

/** The update type, defaulted. @public */
export function updateTypeOf(spec: StoneSpec): StoneUpdateType {
  return spec.updateStrategy?.type ?? STONE_DEFAULTS.updateType;
}

/**
 * How many pods may be unavailable at once while pods change revision, of
 * `desired` pods: a number, or a percentage rounded down; at least 1, so an
 * update always progresses.
 * @public
 */
export function resolveMaxUnavailable(
  spec: StoneSpec,
  desired: number,
): number {
  const value =
    spec.updateStrategy?.maxUnavailable ?? STONE_DEFAULTS.maxUnavailable;
  const count =
    typeof value === 'number'
      ? value
      : Math.floor((Number(PERCENT.exec(value)?.[1] ?? 0) * desired) / 100);
  return Math.max(1, count);
}
