import { useMemo } from 'react';
import { Button } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { convertV1beta1PipelineYaml } from '@cairn/plugin-pipelines-common';

/**
 * When the builder's text is a tekton.dev/v1beta1 Pipeline (pasted, or
 * loaded from a store template): the builder edits v1, so it offers the
 * Pipeline converted as Tekton converts it, as a step Undo takes back; or
 * says why it does not convert.
 */
export function V1beta1Notice(props: {
  text: string;
  readOnly: boolean;
  onConvert: (yaml: string) => void;
}) {
  const { text, readOnly, onConvert } = props;
  // Parsed again only when it may be one: the builder re-renders per keystroke.
  const converted = useMemo(
    () =>
      text.includes('tekton.dev/v1beta1')
        ? convertV1beta1PipelineYaml(text)
        : undefined,
    [text],
  );
  if (!converted) return null;
  if ('problems' in converted) {
    return (
      <Alert severity="error">
        This Pipeline is tekton.dev/v1beta1 and does not convert to
        tekton.dev/v1, which the builder edits:
        <ul>
          {converted.problems.map(problem => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      </Alert>
    );
  }
  return (
    <Alert
      severity="info"
      action={
        readOnly ? undefined : (
          <Button
            color="inherit"
            size="small"
            onClick={() => onConvert(converted.yaml)}
          >
            Convert to v1
          </Button>
        )
      }
    >
      This Pipeline is tekton.dev/v1beta1; the builder edits tekton.dev/v1.
      Converting does what Tekton does (containers’ resources become
      computeResources, step fields v1 dropped go to an annotation); comments
      and layout are not kept.
    </Alert>
  );
}
