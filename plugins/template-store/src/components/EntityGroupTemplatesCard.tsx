import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { templateStoreApiRef } from '@cairn/plugin-template-store-react';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { rootRouteRef } from '../routes';

/**
 * On a group's page: the store's templates the group owns (it publishes
 * their versions), with their latest version, stars and usage.
 */
export function EntityGroupTemplatesCard() {
  const { entity } = useEntity();
  const api = useApi(templateStoreApiRef);
  const storeLink = useRouteRef(rootRouteRef)();
  const owner = stringifyEntityRef(entity);
  const templates = useAsync(
    () => api.listTemplates({ owner, sort: 'name' }),
    [api, owner],
  );
  return (
    <InfoCard
      title="Templates"
      subheader="In the template store, published by this group"
      deepLink={{ title: 'Template store', link: storeLink }}
    >
      {templates.loading && <Progress />}
      {templates.error && <ResponseErrorPanel error={templates.error} />}
      {templates.value?.items.length === 0 && (
        <Typography variant="body2">
          The group owns no templates yet; its members can publish one from the
          template store.
        </Typography>
      )}
      {!!templates.value?.items.length && (
        <List dense aria-label="Templates of the group">
          {templates.value.items.map(t => (
            <ListItem key={`${t.kind}/${t.name}`}>
              <ListItemText
                primary={
                  <Link to={`${storeLink}/${t.kind}/${t.name}`}>
                    {t.displayName ?? t.name}
                  </Link>
                }
                secondary={`${t.kind} ${t.latestVersion} · ${t.stars} stars · used by ${t.usage} pipelines`}
              />
            </ListItem>
          ))}
        </List>
      )}
      {templates.value &&
        templates.value.totalCount > templates.value.items.length && (
          <Typography variant="body2">
            <Link to={`${storeLink}?owner=${encodeURIComponent(owner)}`}>
              All {templates.value.totalCount} templates of the group
            </Link>
          </Typography>
        )}
    </InfoCard>
  );
}
