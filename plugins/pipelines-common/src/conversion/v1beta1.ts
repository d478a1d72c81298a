import {
  ConversionRefused,
  convertTektonObject,
  TEKTON_V1BETA1_API_VERSION,
} from '@cairn/tekton-conversion';
import { pipelineToYaml } from '../builder/document';
import { parseYamlDocument } from '../builder/yamlText';
import { Pipeline, TEKTON_API_VERSION } from '../types';

/*
 * A Pipeline pasted or loaded into the builder as tekton.dev/v1beta1,
 * converted to v1 as Tekton converts it (@cairn/tekton-conversion, which the
 * dev cluster's conversion webhook uses too).
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The builder's text, when it is a tekton.dev/v1beta1 Pipeline: its v1 YAML
 * (as the builder writes a Pipeline: comments and layout are not kept), or
 * why it does not convert, one problem per field (`spec.resources: …`).
 * `undefined` for any other text, which the builder's own parse reports on.
 * @public
 */
export function convertV1beta1PipelineYaml(
  text: string,
): { yaml: string } | { problems: string[] } | undefined {
  const doc = parseYamlDocument(text);
  if (doc.errors.length) return undefined;
  let value: unknown;
  try {
    value = doc.toJS();
  } catch {
    // Aliases beyond the parser's limit: the builder's parse says so.
    return undefined;
  }
  if (
    !isObject(value) ||
    value.apiVersion !== TEKTON_V1BETA1_API_VERSION ||
    value.kind !== 'Pipeline'
  ) {
    return undefined;
  }
  try {
    return {
      yaml: pipelineToYaml(
        convertTektonObject(value, TEKTON_API_VERSION) as Pipeline,
      ),
    };
  } catch (e) {
    if (e instanceof ConversionRefused) {
      return { problems: e.problems };
    }
    throw e;
  }
}
