/**
 * storage.k8s.io/v1 StorageClass and core/v1 PersistentVolume validation,
 * and the StorageClass defaults.
 */

import { FieldError, fieldErrors, FieldPath } from '../errors';
import { Quantity } from '../quantity';
import {
  nameIsDnsSubdomain,
  Obj,
  semanticEqual,
  validateImmutableField,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta';
import { isQualifiedName } from './names';
import { describeSpecDiff } from './pod';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const ACCESS_MODES = [
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOnce',
  'ReadWriteOncePod',
];
const PV_SOURCES = [
  'hostPath',
  'local',
  'nfs',
  'csi',
  'iscsi',
  'fc',
  'cephfs',
  'rbd',
  'glusterfs',
  'flexVolume',
];

/** Validates a StorageClass: a qualified provisioner, known reclaim policy and binding mode. */
export function validateStorageClass(storageClass: Obj): FieldError[] {
  const errors = validateObjectMeta(
    storageClass.metadata,
    false,
    nameIsDnsSubdomain,
  );
  const provisioner = storageClass.provisioner;
  if (!provisioner) {
    errors.push(fieldErrors.required('provisioner'));
  } else {
    isQualifiedName(String(provisioner).toLowerCase()).forEach(m =>
      errors.push(fieldErrors.invalid('provisioner', provisioner, m)),
    );
  }
  if (
    storageClass.reclaimPolicy &&
    !RECLAIM_POLICIES.includes(storageClass.reclaimPolicy)
  ) {
    errors.push(
      fieldErrors.notSupported(
        'reclaimPolicy',
        storageClass.reclaimPolicy,
        RECLAIM_POLICIES,
      ),
    );
  }
  if (!storageClass.volumeBindingMode) {
    errors.push(fieldErrors.required('volumeBindingMode'));
  } else if (!BINDING_MODES.includes(storageClass.volumeBindingMode)) {
    errors.push(
      fieldErrors.notSupported(
        'volumeBindingMode',
        storageClass.volumeBindingMode,
        BINDING_MODES,
      ),
    );
  }
  return errors;
}

/** Validates a StorageClass update: parameters, provisioner, reclaim policy and binding mode are fixed. */
export function validateStorageClassUpdate(
  newClass: Obj,
  oldClass: Obj,
): FieldError[] {
  const errors = validateObjectMetaUpdate(newClass.metadata, oldClass.metadata);
  for (const field of ['parameters', 'provisioner', 'reclaimPolicy']) {
    if (!semanticEqual(newClass[field], oldClass[field])) {
      errors.push(
        fieldErrors.forbidden(field, `updates to ${field} are forbidden.`),
      );
    }
  }
  errors.push(
    ...validateImmutableField(
      newClass.volumeBindingMode,
      oldClass.volumeBindingMode,
      'volumeBindingMode',
    ),
  );
  errors.push(...validateStorageClass(newClass));
  return errors;
}

/** The v1 defaults of a StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate. */
export function applyStorageClassDefaults<T extends Obj>(storageClass: T): T {
  return {
    ...storageClass,
    reclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
    volumeBindingMode: storageClass.volumeBindingMode ?? 'Immediate',
  };
}

const SPEC = FieldPath.of('spec');

/** Validates a PersistentVolume: capacity, access modes, exactly one volume source. */
export function validatePersistentVolume(volume: Obj): FieldError[] {
  const errors = validateObjectMeta(volume.metadata, false, nameIsDnsSubdomain);
  const spec: Obj = volume.spec ?? {};
  const modes: string[] = spec.accessModes ?? [];
  if (!modes.length)
    errors.push(fieldErrors.required(SPEC.child('accessModes')));
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode))
      errors.push(
        fieldErrors.notSupported(SPEC.child('accessModes'), mode, ACCESS_MODES),
      );
  }
  const capacity: Obj = spec.capacity ?? {};
  if (!Object.keys(capacity).length) {
    errors.push(fieldErrors.required(SPEC.child('capacity')));
  }
  if (capacity.storage === undefined || Object.keys(capacity).length > 1) {
    errors.push(
      fieldErrors.notSupported(SPEC.child('capacity'), capacity, ['storage']),
    );
  } else {
    const storage = Quantity.tryParse(capacity.storage);
    if (storage && storage.cmp(Quantity.zero()) <= 0) {
      errors.push(
        fieldErrors.invalid(
          SPEC.child('capacity').key('storage'),
          storage.toString(),
          'must be greater than zero',
        ),
      );
    }
  }
  if (
    spec.persistentVolumeReclaimPolicy &&
    !PV_RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)
  ) {
    errors.push(
      fieldErrors.notSupported(
        SPEC.child('persistentVolumeReclaimPolicy'),
        spec.persistentVolumeReclaimPolicy,
        PV_RECLAIM_POLICIES,
      ),
    );
  }
  const sources = PV_SOURCES.filter(
    source => spec[source] !== undefined && spec[source] !== null,
  );
  if (sources.length === 0) {
    errors.push(fieldErrors.required(SPEC, 'must specify a volume type'));
  } else if (sources.length > 1) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child(sources[1]),
        'may not specify more than 1 volume type',
      ),
    );
  }
  if (spec.hostPath && !spec.hostPath.path)
    errors.push(fieldErrors.required(SPEC.child('hostPath', 'path')));
  return errors;
}

/** Validates a PersistentVolume update: the volume source may not change. */
export function validatePersistentVolumeUpdate(
  newVolume: Obj,
  oldVolume: Obj,
): FieldError[] {
  const errors = [
    ...validateObjectMetaUpdate(newVolume.metadata, oldVolume.metadata),
    ...validatePersistentVolume(newVolume),
  ];
  const source = (spec: Obj | undefined) =>
    Object.fromEntries(
      PV_SOURCES.filter(s => spec?.[s] !== undefined).map(s => [s, spec![s]]),
    );
  if (!semanticEqual(source(newVolume.spec), source(oldVolume.spec))) {
    errors.push(
      fieldErrors.forbidden(
        SPEC.child('persistentvolumesource'),
        `spec.persistentvolumesource is immutable after creation\n${describeSpecDiff(
          source(oldVolume.spec),
          source(newVolume.spec),
        )}`,
      ),
    );
  }
  return errors;
}
