/** PersistentVolumes, PersistentVolumeClaims and StorageClasses. */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { ageCol, col, nameCol } from '../columns.js';
import { since } from '../duration.js';
import type { Printer } from '../types.js';

const BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, duplicates dropped. */
export function accessModes(modes: readonly string[] | undefined): string {
  const m = new Set(modes ?? []);
  return [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']]
    .filter(([mode]) => m.has(mode!)).map(([, short]) => short).join(',');
}

const volumeMode = (v: string | undefined) => v ?? '<unset>';
const attrsClass = (v: string | undefined) => v ?? '<unset>';

export const persistentVolumePrinter: Printer<PersistentVolume> = {
  columns: [
    nameCol(),
    col('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure.'),
    ageCol(),
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  cells(pv, { now }) {
    const ref = pv.spec?.claimRef;
    const klass = pv.metadata?.annotations?.[BETA_CLASS] ?? pv.spec?.storageClassName ?? '';
    const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
    return [
      pv.metadata?.name ?? '', pv.spec?.capacity?.storage ?? '0', accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '', phase, ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '',
      klass, attrsClass(pv.spec?.volumeAttributesClassName), pv.status?.reason ?? '',
      since(pv.metadata?.creationTimestamp, now), volumeMode(pv.spec?.volumeMode),
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer<PersistentVolumeClaim> = {
  columns: [
    nameCol(),
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageCol(),
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  cells(pvc, { now }) {
    const bound = !!pvc.spec?.volumeName;
    const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
    const klass = pvc.metadata?.annotations?.[BETA_CLASS] ?? pvc.spec?.storageClassName ?? '';
    return [
      pvc.metadata?.name ?? '', phase, pvc.spec?.volumeName ?? '',
      bound ? pvc.status?.capacity?.storage ?? '0' : '', bound ? accessModes(pvc.status?.accessModes) : '',
      klass, attrsClass(pvc.spec?.volumeAttributesClassName), since(pvc.metadata?.creationTimestamp, now),
      volumeMode(pvc.spec?.volumeMode),
    ];
  },
};

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const storageClassPrinter: Printer<StorageClass> = {
  columns: [
    nameCol(),
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageCol(),
  ],
  cells(sc, { now }) {
    const a = sc.metadata?.annotations ?? {};
    const isDefault = a[DEFAULT_CLASS] === 'true' || a[BETA_DEFAULT_CLASS] === 'true';
    return [
      `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion ?? false, since(sc.metadata?.creationTimestamp, now),
    ];
  },
};
