import type { AdmissionPlugin } from '../server/admission';
import { badRequest } from '../server/status';
import { TEKTON_GROUP } from './labels';
import {
  validatePipeline,
  validatePipelineRun,
  validateTask,
} from './validation';

/*
 * Tekton's validating webhook as a dev-cluster admission plugin: creates and
 * spec updates of Tasks, Pipelines and PipelineRuns are refused with the
 * message kube-apiserver relays from Tekton's webhook. Status-only writes
 * (the controller's) are not validated, as Tekton's webhook skips them.
 */

const WEBHOOK = 'validation.webhook.pipeline.tekton.dev';

const VALIDATORS: Record<string, (object: any) => string[]> = {
  tasks: validateTask,
  pipelines: validatePipeline,
  pipelineruns: validatePipelineRun,
};

/** The denial Tekton's webhook gives an object of a tekton.dev resource, if any. */
export function admissionDenial(
  plural: string,
  object: unknown,
): string | undefined {
  const validate = VALIDATORS[plural];
  const problems = validate ? validate(object ?? {}) : [];
  if (problems.length === 0) return undefined;
  return `admission webhook "${WEBHOOK}" denied the request: validation failed: ${problems.join(
    '\n',
  )}`;
}

export const tektonAdmission: AdmissionPlugin = {
  name: 'TektonValidation',
  phase: 'validating',
  admit(request) {
    if (request.type.group !== TEKTON_GROUP) return;
    if (request.operation !== 'CREATE' && request.operation !== 'UPDATE')
      return;
    if (request.subresource) return;
    const denial = admissionDenial(request.type.plural, request.object);
    if (denial) throw badRequest(denial);
  },
};
