import {
  CodeSnippet,
  Content,
  Header,
  HeaderLabel,
  Link,
  MarkdownContent,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  TemplateDocs,
  TemplateKind,
  TemplateVersionSummary,
} from '@cairn/plugin-template-store-common';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tabs,
  TextField,
  Typography,
} from '@material-ui/core';
import StarIcon from '@material-ui/icons/Star';
import StarBorderIcon from '@material-ui/icons/StarBorder';
import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InstallDialog,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';

function DocsTable<T extends { name: string; description?: string }>({
  title,
  rows,
  columns,
}: {
  title: string;
  rows: T[];
  columns: Array<[string, (row: T) => string]>;
}) {
  return (
    <Box mb={3}>
      <Typography variant="h6">{title}</Typography>
      {rows.length === 0 ? (
        <Typography variant="body2">None.</Typography>
      ) : (
        <Table size="small" aria-label={title}>
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              {columns.map(([label]) => (
                <TableCell key={label}>{label}</TableCell>
              ))}
              <TableCell>Description</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.name}>
                <TableCell>
                  <code>{row.name}</code>
                </TableCell>
                {columns.map(([label, value]) => (
                  <TableCell key={label}>{value(row)}</TableCell>
                ))}
                <TableCell>{row.description ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}

/** Params, results and workspaces of a version, as its YAML declares them. */
export function TemplateDocsTables({ docs }: { docs: TemplateDocs }) {
  return (
    <>
      <DocsTable
        title="Params"
        rows={docs.params}
        columns={[
          ['Type', p => p.type],
          ['Default', p => p.default ?? '(required)'],
        ]}
      />
      <DocsTable
        title="Results"
        rows={docs.results}
        columns={[['Type', r => r.type]]}
      />
      {docs.kind !== 'StepAction' && (
        <DocsTable
          title="Workspaces"
          rows={docs.workspaces}
          columns={[
            ['Optional', w => (w.optional ? 'yes' : 'no')],
            ['Read-only', w => (w.readOnly ? 'yes' : 'no')],
          ]}
        />
      )}
    </>
  );
}

function VersionsTab({
  kind,
  name,
  versions,
}: {
  kind: TemplateKind;
  name: string;
  versions: TemplateVersionSummary[];
}) {
  const api = useApi(templateStoreApiRef);
  const [from, setFrom] = useState(versions[1]?.version ?? versions[0].version);
  const [to, setTo] = useState(versions[0].version);
  const diff = useAsync(
    () =>
      from === to ? Promise.resolve(undefined) : api.diff(kind, name, from, to),
    [api, kind, name, from, to],
  );
  const pick = (
    label: string,
    value: string,
    onChange: (v: string) => void,
  ) => (
    <FormControl
      size="small"
      variant="outlined"
      style={{ minWidth: 120, marginRight: 16 }}
    >
      <InputLabel id={`diff-${label}`}>{label}</InputLabel>
      <Select
        labelId={`diff-${label}`}
        label={label}
        value={value}
        onChange={e => onChange(String(e.target.value))}
      >
        {versions.map(v => (
          <MenuItem key={v.version} value={v.version}>
            {v.version}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
  return (
    <>
      <Table size="small" aria-label="Versions">
        <TableHead>
          <TableRow>
            <TableCell>Version</TableCell>
            <TableCell>API version</TableCell>
            <TableCell>Min. Tekton Pipelines</TableCell>
            <TableCell>Published by</TableCell>
            <TableCell>Published</TableCell>
            <TableCell>Digest</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {versions.map(v => (
            <TableRow key={v.version}>
              <TableCell>
                <Link to={`?version=${encodeURIComponent(v.version)}`}>
                  {v.version}
                </Link>
                {v.deprecated && <Chip size="small" label="deprecated" />}
              </TableCell>
              <TableCell>{v.apiVersion}</TableCell>
              <TableCell>{v.minPipelinesVersion ?? ''}</TableCell>
              <TableCell>{v.createdBy}</TableCell>
              <TableCell>{new Date(v.createdAt).toLocaleString()}</TableCell>
              <TableCell>
                <code>{v.digest.slice(0, 19)}</code>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {versions.length > 1 && (
        <Box mt={3}>
          <Typography variant="h6" gutterBottom>
            Compare versions
          </Typography>
          {pick('From', from, setFrom)}
          {pick('To', to, setTo)}
          <Box mt={2}>
            {diff.loading && <Progress />}
            {diff.error && <ResponseErrorPanel error={diff.error} />}
            {from === to && (
              <Typography variant="body2">
                Pick two different versions.
              </Typography>
            )}
            {diff.value && (
              <CodeSnippet language="diff" text={diff.value.patch} />
            )}
          </Box>
        </Box>
      )}
    </>
  );
}

/** The Pipelines in the watched clusters that use the template, and whose they are. */
function UsedByTab({ kind, name }: { kind: TemplateKind; name: string }) {
  const api = useApi(templateStoreApiRef);
  const usage = useAsync(() => api.listUsage(kind, name), [api, kind, name]);
  if (usage.loading) return <Progress />;
  if (usage.error) return <ResponseErrorPanel error={usage.error} />;
  const items = usage.value!.items;
  if (!items.length) {
    return (
      <Typography variant="body2">
        No Pipeline in the watched clusters uses it yet. A Pipeline uses it when
        it was installed from it, names a Task installed from it, or embeds it
        from the builder.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Used by">
      <TableHead>
        <TableRow>
          <TableCell>Pipeline</TableCell>
          <TableCell>Entity</TableCell>
          <TableCell>Version</TableCell>
          <TableCell>Cluster</TableCell>
          <TableCell>Namespace</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {items.map(u => (
          <TableRow
            key={`${u.cluster}/${u.namespace}/${u.pipeline}/${u.version}`}
          >
            <TableCell>{u.pipeline}</TableCell>
            <TableCell>{u.entityRef ?? ''}</TableCell>
            <TableCell>{u.version}</TableCell>
            <TableCell>{u.cluster}</TableCell>
            <TableCell>{u.namespace}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function ForkDialog({
  open,
  onClose,
  kind,
  name,
  version,
}: {
  open: boolean;
  onClose: () => void;
  kind: TemplateKind;
  name: string;
  version: string;
}) {
  const api = useApi(templateStoreApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const [owner, setOwner] = useState('');
  const [newName, setNewName] = useState(`${name}-fork`);
  const [busy, setBusy] = useState(false);
  const fork = async () => {
    setBusy(true);
    try {
      await api.fork(kind, name, { owner, name: newName, version });
      onClose();
      navigate(`../../${kind}/${newName}`);
    } catch (error) {
      alertApi.post({ message: (error as Error).message, severity: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose}>
      <DialogTitle>
        Fork {kind} {name} {version}
      </DialogTitle>
      <DialogContent>
        <TextField
          id="fork-owner"
          label="Owner group"
          placeholder="group:default/team-payments"
          fullWidth
          margin="dense"
          value={owner}
          onChange={e => setOwner(e.target.value)}
        />
        <TextField
          id="fork-name"
          label="New name"
          fullWidth
          margin="dense"
          value={newName}
          onChange={e => setNewName(e.target.value)}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          disabled={busy || !owner || !newName}
          onClick={fork}
        >
          Fork
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** One template: README, docs, YAML, versions with diff, used by; star, fork and install. */
export function TemplatePage() {
  const api = useApi(templateStoreApiRef);
  const alertApi = useApi(alertApiRef);
  const { kind, name } = useParams() as { kind: TemplateKind; name: string };
  const [params] = useSearchParams();
  const [tab, setTab] = useState(0);
  const [forking, setForking] = useState(false);
  const [installing, setInstalling] = useState(false);
  const template = useAsyncRetry(
    () => api.getTemplate(kind, name),
    [api, kind, name],
  );
  const versionName = params.get('version') ?? template.value?.latestVersion;
  const version = useAsync(
    async () =>
      versionName ? api.getVersion(kind, name, versionName) : undefined,
    [api, kind, name, versionName],
  );

  if (template.loading && !template.value) return <Progress />;
  if (template.error) {
    return (
      <Page themeId="tool">
        <Header title={`${kind} ${name}`} />
        <Content>
          <ResponseErrorPanel error={template.error} />
        </Content>
      </Page>
    );
  }
  const t = template.value!;
  const toggleStar = async () => {
    try {
      await api.setStar(kind, name, !t.starred);
      template.retry();
    } catch (error) {
      alertApi.post({ message: (error as Error).message, severity: 'error' });
    }
  };
  return (
    <Page themeId="tool">
      <Header
        title={t.displayName ?? t.name}
        subtitle={t.description}
        type={t.kind}
        typeLink=".."
      >
        <HeaderLabel label="Owner" value={t.owner} />
        <HeaderLabel label="Latest" value={t.latestVersion} />
        <HeaderLabel label="Stars" value={String(t.stars)} />
        <HeaderLabel label="Used by" value={`${t.usage} pipelines`} />
      </Header>
      <Content>
        <Box display="flex" alignItems="center" mb={2} style={{ gap: 8 }}>
          <Button
            variant="outlined"
            startIcon={t.starred ? <StarIcon /> : <StarBorderIcon />}
            onClick={toggleStar}
          >
            {t.starred ? 'Unstar' : 'Star'}
          </Button>
          <Button variant="outlined" onClick={() => setForking(true)}>
            Fork
          </Button>
          {t.kind !== 'StepAction' && (
            <Button
              variant="outlined"
              color="primary"
              onClick={() => setInstalling(true)}
            >
              Install
            </Button>
          )}
          {t.forkedFrom && (
            <Typography variant="body2">
              Forked from{' '}
              <Link to={`../../${t.forkedFrom.kind}/${t.forkedFrom.name}`}>
                {t.forkedFrom.name}
              </Link>{' '}
              {t.forkedFrom.version}
            </Typography>
          )}
          {[...t.categories, ...t.tags, ...t.platforms].map(label => (
            <Chip key={label} size="small" label={label} />
          ))}
        </Box>
        <Tabs value={tab} onChange={(_, value) => setTab(value)}>
          <Tab label="Overview" />
          <Tab label="YAML" />
          <Tab label={`Versions (${t.versions.length})`} />
          <Tab label={`Used by (${t.usage})`} />
        </Tabs>
        <Box mt={2}>
          {version.loading && <Progress />}
          {version.error && <ResponseErrorPanel error={version.error} />}
          {tab === 0 && version.value && (
            <>
              <Typography variant="subtitle2" gutterBottom>
                Version {version.value.version} · {version.value.apiVersion}
                {version.value.deprecated ? ' · deprecated' : ''}
              </Typography>
              <TemplateDocsTables docs={version.value.docs} />
              {version.value.readme && (
                <MarkdownContent content={version.value.readme} />
              )}
            </>
          )}
          {tab === 1 && version.value && (
            <CodeSnippet
              language="yaml"
              text={version.value.yaml}
              showCopyCodeButton
              showLineNumbers
            />
          )}
          {tab === 2 && (
            <VersionsTab kind={kind} name={name} versions={t.versions} />
          )}
          {tab === 3 && <UsedByTab kind={kind} name={name} />}
        </Box>
        {versionName && (
          <ForkDialog
            open={forking}
            onClose={() => setForking(false)}
            kind={kind}
            name={name}
            version={versionName}
          />
        )}
        {versionName && installing && (
          <InstallDialog
            kind={kind}
            name={name}
            version={versionName}
            onClose={() => setInstalling(false)}
          />
        )}
      </Content>
    </Page>
  );
}
