import { useMemo, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormHelperText,
  InputLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { DEBUG_PROFILES, DebugMode, DebugProfile } from '@cairn/operators-api';
import { debugEligibility } from '@cairn/plugin-debug-terminal-common';
import type {
  CreateSessionRequest,
  DebugPodSummary,
  DebugToolkitList,
} from '@cairn/plugin-debug-terminal-common';

/** The toolkit select's value for "an image outside the catalog" (ops). */
const OTHER_IMAGE = '';

/** The mode's meaning, as `kubectl debug` users know it. */
const MODES: Record<DebugMode, string> = {
  ephemeral:
    'Ephemeral container: the toolkit joins the running pod and shares the container’s process namespace',
  copy: 'Copy of the pod: for a crash-looping pod; a copy with probes removed and the container kept asleep',
};

export interface StartSessionDialogProps {
  open: boolean;
  entityRef: string;
  pod: DebugPodSummary;
  /** The container whose Debug button was pressed. */
  container: string;
  toolkits: DebugToolkitList;
  /** Sends the request; a rejection's message is shown in the dialog. */
  onStart(request: CreateSessionRequest): Promise<void>;
  onClose(): void;
}

/** Picks the container, toolkit, profile and mode of a new debug session. */
export function StartSessionDialog(props: StartSessionDialogProps) {
  const { open, entityRef, pod, toolkits, onStart, onClose } = props;
  const [container, setContainer] = useState(props.container);
  const [toolkit, setToolkit] = useState(
    toolkits.items[0]?.name ?? OTHER_IMAGE,
  );
  const [image, setImage] = useState('');
  const [profile, setProfile] = useState<DebugProfile | ''>('');
  /** Why a session in the mode cannot start next to the container; undefined when it can. */
  const refusal = (m: DebugMode, c = container) => {
    const eligibility = debugEligibility(pod, c, m);
    return eligibility.debuggable ? undefined : eligibility.reason;
  };
  const [mode, setMode] = useState<DebugMode>(() =>
    refusal('ephemeral', props.container) ? 'copy' : 'ephemeral',
  );
  const [minutes, setMinutes] = useState('60');
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  const chosen = toolkits.items.find(t => t.name === toolkit);
  const maxMinutes = Math.floor(toolkits.maxTtlSeconds / 60);
  const minutesError = useMemo(() => {
    const value = Number(minutes);
    if (!/^\d+$/.test(minutes) || value < 1)
      return 'a whole number of minutes, at least 1';
    if (value > maxMinutes) return `at most ${maxMinutes} minutes`;
    return undefined;
  }, [minutes, maxMinutes]);

  const imageError =
    toolkit === OTHER_IMAGE && !/^\S+$/.test(image)
      ? 'an image reference, without spaces'
      : undefined;

  const start = async () => {
    setStarting(true);
    setError(undefined);
    try {
      await onStart({
        entityRef,
        cluster: pod.cluster,
        namespace: pod.namespace,
        pod: pod.name,
        container,
        ...(toolkit === OTHER_IMAGE ? { image } : { toolkit }),
        ...(profile ? { profile } : {}),
        mode,
        ttlSeconds: Number(minutes) * 60,
      });
    } catch (e) {
      setError((e as Error).message);
      setStarting(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="start-session-title"
    >
      <DialogTitle id="start-session-title">Debug {pod.name}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          A toolkit container runs next to the container you pick, in pod{' '}
          {pod.namespace}/{pod.name} on cluster {pod.cluster}. The session is
          recorded and ends at its time limit.
        </Typography>
        <FormControl fullWidth margin="normal">
          <InputLabel id="debug-container-label">Container</InputLabel>
          <Select
            labelId="debug-container-label"
            value={container}
            onChange={e => setContainer(e.target.value as string)}
          >
            {pod.containers.map(c => (
              <MenuItem key={c.name} value={c.name}>
                {c.name}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl fullWidth margin="normal">
          <InputLabel id="debug-toolkit-label" shrink>
            Toolkit
          </InputLabel>
          <Select
            labelId="debug-toolkit-label"
            value={toolkit}
            displayEmpty
            onChange={e => {
              setToolkit(e.target.value as string);
              setProfile('');
            }}
          >
            {toolkits.items.map(t => (
              <MenuItem key={t.name} value={t.name}>
                {t.name}
              </MenuItem>
            ))}
            {toolkits.customImageAllowed && (
              <MenuItem value={OTHER_IMAGE}>Another image (ops)</MenuItem>
            )}
          </Select>
          {chosen && (
            <FormHelperText>
              {chosen.description} ({chosen.image})
            </FormHelperText>
          )}
        </FormControl>
        {toolkit === OTHER_IMAGE && (
          <TextField
            id="debug-image"
            fullWidth
            margin="normal"
            label="Image"
            value={image}
            onChange={e => setImage(e.target.value)}
            error={!!image && !!imageError}
            helperText={
              (image && imageError) ||
              'Any image runs next to the pod’s processes: for ops only'
            }
          />
        )}
        <FormControl fullWidth margin="normal">
          <InputLabel id="debug-profile-label" shrink>
            Profile
          </InputLabel>
          <Select
            labelId="debug-profile-label"
            value={profile}
            displayEmpty
            onChange={e => setProfile(e.target.value as DebugProfile | '')}
          >
            <MenuItem value="">
              The toolkit’s ({chosen?.profile ?? 'general'})
            </MenuItem>
            {DEBUG_PROFILES.map(p => (
              <MenuItem key={p} value={p}>
                {p}
              </MenuItem>
            ))}
          </Select>
          <FormHelperText>
            The container’s security context, as kubectl debug’s --profile
          </FormHelperText>
        </FormControl>
        <FormControl component="fieldset" margin="normal">
          <Typography variant="subtitle2" component="legend">
            Mode
          </Typography>
          <RadioGroup
            aria-label="Mode"
            value={mode}
            onChange={e => setMode(e.target.value as DebugMode)}
          >
            {(Object.keys(MODES) as DebugMode[]).map(m => (
              <FormControlLabel
                key={m}
                value={m}
                control={<Radio />}
                label={MODES[m]}
                disabled={!!refusal(m)}
              />
            ))}
          </RadioGroup>
          {(Object.keys(MODES) as DebugMode[]).map(m => {
            const reason = refusal(m);
            return reason ? (
              <FormHelperText key={m} error={m === mode}>
                Not {m}: {reason}
              </FormHelperText>
            ) : null;
          })}
        </FormControl>
        <TextField
          id="debug-ttl-minutes"
          fullWidth
          margin="normal"
          label="Time limit (minutes)"
          value={minutes}
          onChange={e => setMinutes(e.target.value)}
          error={!!minutesError}
          helperText={minutesError ?? `at most ${maxMinutes} minutes`}
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={
            starting || !!imageError || !!minutesError || !!refusal(mode)
          }
          onClick={start}
        >
          Start session
        </Button>
      </DialogActions>
    </Dialog>
  );
}
