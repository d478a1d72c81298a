import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  TEMPLATE_PAGE_SIZE,
  TEMPLATE_SORTS,
  TemplateFacets,
  TemplateSummary,
} from '@cairn/plugin-template-store-common';
import {
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  FormControl,
  Grid,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import StarIcon from '@material-ui/icons/Star';
import Pagination from '@material-ui/lab/Pagination';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import {
  PublishDialog,
  templateStoreApiRef,
} from '@cairn/plugin-template-store-react';

/** The facets the list filters by, as named in the API's query and in {@link TemplateFacets}. */
const FACETS: Array<{
  param: string;
  label: string;
  of: keyof TemplateFacets;
}> = [
  { param: 'kind', label: 'Kind', of: 'kinds' },
  { param: 'category', label: 'Category', of: 'categories' },
  { param: 'tag', label: 'Tag', of: 'tags' },
  { param: 'platform', label: 'Platform', of: 'platforms' },
  { param: 'owner', label: 'Owner', of: 'owners' },
];

function TemplateCard({ template }: { template: TemplateSummary }) {
  return (
    <Card variant="outlined" style={{ height: '100%' }}>
      <CardHeader
        title={
          <Link to={`${template.kind}/${template.name}`}>
            {template.displayName ?? template.name}
          </Link>
        }
        subheader={`${template.kind} ${template.name} · ${template.latestVersion} · ${template.owner}`}
        action={
          <Box display="flex" alignItems="center" pt={1} pr={1}>
            <StarIcon
              fontSize="small"
              color={template.starred ? 'secondary' : 'disabled'}
            />
            <Typography variant="body2" aria-label="stars">
              {template.stars}
            </Typography>
          </Box>
        }
      />
      <CardContent>
        <Typography variant="body2" paragraph>
          {template.description ?? 'No description.'}
        </Typography>
        {[...template.categories, ...template.tags].map(label => (
          <Chip key={label} label={label} size="small" />
        ))}
        {template.forkedFrom && (
          <Typography variant="caption" display="block">
            forked from {template.forkedFrom.name}@{template.forkedFrom.version}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}

/** The store: search, facets, and a page of template cards. Filters live in the address. */
export function StorePage() {
  const api = useApi(templateStoreApiRef);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('search') ?? '');
  const [publishing, setPublishing] = useState(false);
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };
  useDebounce(
    () => {
      if (search !== (params.get('search') ?? '')) set({ search });
    },
    300,
    [search],
  );
  const facets = useAsync(() => api.getFacets(), [api]);
  const query = Object.fromEntries(params.entries());
  const list = useAsync(
    () => api.listTemplates(query as any),
    [api, params.toString()],
  );
  const page = Number(params.get('page') ?? 1);

  return (
    <Page themeId="tool">
      <Header
        title="Template store"
        subtitle="Versioned Tekton Tasks, Pipelines and StepActions to build pipelines from"
      />
      <Content>
        <ContentHeader title="Templates">
          <Button
            variant="contained"
            color="primary"
            onClick={() => setPublishing(true)}
          >
            Publish
          </Button>
        </ContentHeader>
        {publishing && (
          <PublishDialog
            onClose={() => setPublishing(false)}
            onPublished={published => {
              setPublishing(false);
              navigate(`${published.kind}/${published.name}`);
            }}
          />
        )}
        <Grid container spacing={2}>
          <Grid item xs={12} md={4}>
            <TextField
              label="Search"
              placeholder="name, description or tag"
              fullWidth
              variant="outlined"
              size="small"
              value={search}
              onChange={e => setSearch(e.target.value)}
              inputProps={{ 'aria-label': 'Search templates' }}
            />
          </Grid>
          {FACETS.map(facet => (
            <Grid
              item
              xs={6}
              md={1}
              key={facet.param}
              style={{ minWidth: 140 }}
            >
              <FormControl fullWidth size="small" variant="outlined">
                <InputLabel id={`facet-${facet.param}`}>
                  {facet.label}
                </InputLabel>
                <Select
                  labelId={`facet-${facet.param}`}
                  label={facet.label}
                  value={params.get(facet.param) ?? ''}
                  onChange={e =>
                    set({ [facet.param]: String(e.target.value) || undefined })
                  }
                >
                  <MenuItem value="">Any</MenuItem>
                  {(facets.value?.[facet.of] ?? []).map(option => (
                    <MenuItem key={option.value} value={option.value}>
                      {option.value} ({option.count})
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
            </Grid>
          ))}
          <Grid item xs={6} md={1} style={{ minWidth: 140 }}>
            <FormControl fullWidth size="small" variant="outlined">
              <InputLabel id="sort">Sort</InputLabel>
              <Select
                labelId="sort"
                label="Sort"
                value={params.get('sort') ?? 'name'}
                onChange={e => set({ sort: String(e.target.value) })}
              >
                {TEMPLATE_SORTS.map(sort => (
                  <MenuItem key={sort} value={sort}>
                    {sort}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          </Grid>
        </Grid>
        <Box mt={3}>
          {list.loading && <Progress />}
          {list.error && <ResponseErrorPanel error={list.error} />}
          {list.value && list.value.totalCount === 0 && (
            <EmptyState
              missing="data"
              title="No templates found"
              description={
                params.toString()
                  ? 'Nothing matches this search and these filters.'
                  : 'The store is empty: ops import catalogs (templateStore.sources or POST /api/template-store/imports), owners publish templates.'
              }
            />
          )}
          {list.value && list.value.totalCount > 0 && (
            <>
              <Typography variant="body2" gutterBottom>
                {list.value.totalCount} template
                {list.value.totalCount === 1 ? '' : 's'}
              </Typography>
              <Grid container spacing={2}>
                {list.value.items.map(template => (
                  <Grid
                    item
                    xs={12}
                    md={6}
                    lg={4}
                    key={`${template.kind}/${template.name}`}
                  >
                    <TemplateCard template={template} />
                  </Grid>
                ))}
              </Grid>
              {list.value.totalCount > TEMPLATE_PAGE_SIZE && (
                <Box mt={2} display="flex" justifyContent="center">
                  <Pagination
                    page={page}
                    count={Math.ceil(
                      list.value.totalCount / TEMPLATE_PAGE_SIZE,
                    )}
                    onChange={(_, value) => set({ page: String(value) })}
                  />
                </Box>
              )}
            </>
          )}
        </Box>
      </Content>
    </Page>
  );
}
