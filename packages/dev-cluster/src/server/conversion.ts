import type { KubeObject } from '../store/types';
import { servedAs } from './encoding';
import { apiVersionOf, ResourceType } from './registry';

/*
 * CRD conversion with `conversion.strategy: Webhook`: what kube-apiserver
 * asks the CRD's conversion webhook for, answered by an in-process converter
 * registered for the group and kind. Objects are stored at the storage
 * version; request bodies at another served version are converted to it when
 * decoded, and stored objects are converted to the request's version when
 * served (get, list, watch, write responses). Without a converter (or with
 * strategy None) only apiVersion changes, as before.
 *
 * A built-in kind served at a version it is not stored at (`storedAs`:
 * HorizontalPodAutoscaler at autoscaling/v1, stored at v2) goes the same way
 * through its registered converter, as kube-apiserver converts it through
 * its internal version.
 */

export interface CustomResourceConverter {
  group: string;
  kinds: string[];
  /**
   * `object` (at its apiVersion) at `apiVersion`; must not modify `object`.
   * Throws an ApiError to refuse the request.
   */
  convert(object: KubeObject, apiVersion: string): KubeObject;
}

export class CustomResourceConversion {
  private readonly converters = new Map<string, CustomResourceConverter>();
  /** Stored objects are immutable: each is converted once per version served. */
  private readonly converted = new WeakMap<
    KubeObject,
    Map<string, KubeObject>
  >();

  add(converter: CustomResourceConverter): void {
    for (const kind of converter.kinds)
      this.converters.set(`${converter.group}/${kind}`, converter);
  }

  /** Whether objects of `type` may be stored at another version than its own. */
  versioned(type: ResourceType): boolean {
    return !!type.custom || !!type.storedAs;
  }

  private converterFor(
    type: ResourceType,
  ): CustomResourceConverter | undefined {
    if (type.custom && !type.custom.webhookConversion) return undefined;
    if (!this.versioned(type)) return undefined;
    return this.converters.get(`${type.group}/${type.kind}`);
  }

  /** A stored object as served at `type`'s version. */
  served(type: ResourceType, object: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(type);
    if (object.apiVersion === apiVersion) return object;
    const converter = this.converterFor(type);
    if (!converter) return servedAs(type, object);
    let versions = this.converted.get(object);
    if (!versions) {
      versions = new Map();
      this.converted.set(object, versions);
    }
    let served = versions.get(apiVersion);
    if (!served) {
      served = converter.convert(object, apiVersion);
      versions.set(apiVersion, served);
    }
    return served;
  }

  /** A decoded request object (at `type`'s version) at the storage version. */
  stored(type: ResourceType, object: KubeObject): KubeObject {
    const converter = this.converterFor(type);
    const storageVersion = type.custom?.storageVersion ?? type.storedAs;
    if (!converter || !storageVersion || storageVersion === type.version)
      return object;
    return converter.convert(
      object,
      apiVersionOf({ group: type.group, version: storageVersion }),
    );
  }
}
