import {
  ConversionRefused,
  CONVERTED_KINDS,
  convertTektonObject,
} from '@cairn/tekton-conversion';
import type { CustomResourceConverter } from '../server/conversion';
import { badRequest } from '../server/status';
import { TEKTON_GROUP } from './labels';

/*
 * Tekton's conversion webhook (tekton-pipelines-webhook) as the dev cluster's
 * in-process converter. A v1beta1 object v1 cannot hold is refused with the
 * denial kube-apiserver relays from Tekton's validating webhook, which sees
 * it first on a real cluster.
 */

const WEBHOOK = 'validation.webhook.pipeline.tekton.dev';

export const tektonConverter: CustomResourceConverter = {
  group: TEKTON_GROUP,
  kinds: CONVERTED_KINDS,
  convert(object, apiVersion) {
    try {
      return convertTektonObject(object, apiVersion);
    } catch (error) {
      if (!(error instanceof ConversionRefused)) throw error;
      throw badRequest(
        `admission webhook "${WEBHOOK}" denied the request: validation failed: ${error.message}`,
      );
    }
  },
};
