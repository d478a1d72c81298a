import { useMemo, useState } from 'react';
import {
  Checkbox,
  FormControlLabel,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import {
  imageReferenceError,
  StartUpdateRequest,
  StoneDetail,
} from '@cairn/plugin-rollouts-common';
import { parse } from 'yaml';
import { ActionDialog } from './ActionDialog';
import { errorMessage } from './errorMessage';
import { TemplateDiff, templateYaml } from './TemplateDiff';

/** The template with each named container's image replaced. */
function withImages(
  template: V1PodTemplateSpec,
  images: Record<string, string>,
): V1PodTemplateSpec {
  return {
    ...template,
    spec: {
      ...template.spec!,
      containers: (template.spec?.containers ?? []).map(c =>
        images[c.name] ? { ...c, image: images[c.name] } : c,
      ),
    },
  };
}

/**
 * Start a staged update: a new image per container and, optionally, other
 * changes to the pod template (as YAML), shown as a diff against the
 * Stone's template before confirming. The server patches the template and
 * `strategy: Alpha` in one request.
 */
export function StartUpdateDialog(props: {
  detail: StoneDetail;
  refusal?: string;
  onClose: () => void;
  onStart: (
    request: Omit<StartUpdateRequest, 'resourceVersion'>,
  ) => Promise<void>;
}) {
  const current = props.detail.stone.spec.template;
  const containers = current.spec?.containers ?? [];
  const [images, setImages] = useState<Record<string, string>>(() =>
    Object.fromEntries(containers.map(c => [c.name, c.image ?? ''])),
  );
  const [editTemplate, setEditTemplate] = useState(false);
  const [yamlText, setYamlText] = useState(() => templateYaml(current));
  const [force, setForce] = useState(false);

  const parsed = useMemo((): {
    template?: V1PodTemplateSpec;
    problem?: string;
  } => {
    if (!editTemplate) return { template: current };
    try {
      const value = parse(yamlText);
      if (!value || typeof value !== 'object' || !value.spec) {
        return { problem: 'The template needs a spec with containers' };
      }
      return { template: value as V1PodTemplateSpec };
    } catch (e) {
      return { problem: `Not YAML: ${errorMessage(e)}` };
    }
  }, [editTemplate, yamlText, current]);

  const imageProblems = Object.entries(images).flatMap(([name, image]) => {
    const problem = imageReferenceError(image);
    return problem ? [`${name}: ${problem}`] : [];
  });
  const next = parsed.template && withImages(parsed.template, images);
  const changed = next && templateYaml(next) !== templateYaml(current);

  return (
    <ActionDialog
      title={`Start a staged update of ${props.detail.summary.name}`}
      action="Start update"
      disabled={
        !changed ||
        !!parsed.problem ||
        imageProblems.length > 0 ||
        (!!props.refusal && !force)
      }
      wide
      onClose={props.onClose}
      onAction={() =>
        props.onStart({
          images,
          template: editTemplate ? parsed.template : undefined,
          force: props.refusal ? true : undefined,
        })
      }
    >
      <Typography variant="body2">
        The new template goes to one pod first (Alpha); each further stage waits
        for approval.
      </Typography>
      {containers.map(c => (
        <TextField
          key={c.name}
          id={`image-${c.name}`}
          label={`Image of ${c.name}`}
          value={images[c.name] ?? ''}
          onChange={e =>
            setImages(old => ({ ...old, [c.name]: e.target.value.trim() }))
          }
          error={!!imageReferenceError(images[c.name] ?? '')}
          helperText={imageReferenceError(images[c.name] ?? '') ?? ' '}
          fullWidth
          margin="dense"
        />
      ))}
      <FormControlLabel
        control={
          <Checkbox
            checked={editTemplate}
            onChange={(_, v) => setEditTemplate(v)}
          />
        }
        label="Change other fields of the pod template"
      />
      {editTemplate && (
        <TextField
          id="pod-template"
          label="Pod template (YAML)"
          value={yamlText}
          onChange={e => setYamlText(e.target.value)}
          multiline
          minRows={8}
          fullWidth
          variant="outlined"
          inputProps={{ style: { fontFamily: 'monospace', fontSize: 12 } }}
          error={!!parsed.problem}
          helperText={parsed.problem ?? 'Images above are set on this template'}
        />
      )}
      <Typography variant="subtitle2" style={{ marginTop: 16 }}>
        Changes to the pod template
      </Typography>
      {next && (
        <TemplateDiff before={current} after={next} label="Template diff" />
      )}
      {props.refusal && (
        <>
          <Alert severity="warning">{props.refusal}</Alert>
          <FormControlLabel
            control={
              <Checkbox checked={force} onChange={(_, v) => setForce(v)} />
            }
            label="Start anyway (force; ops only)"
          />
        </>
      )}
    </ActionDialog>
  );
}
