import {
  Content,
  EmptyState,
  Header,
  LinkButton,
  Page,
} from '@backstage/core-components';
import { Box } from '@material-ui/core';
import { useLocation } from 'react-router-dom';

/**
 * The page of an address no route serves: it names the address and offers
 * the places to start from (Backstage's default only says a mic was dropped).
 */
export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <Page themeId="home">
      <Header title="Page not found" />
      <Content>
        <EmptyState
          missing="content"
          title="Page not found (404)"
          description={
            <>
              Nothing lives at <code>{pathname}</code>. The link may be old, or
              the entity or run may have been renamed or deleted.
            </>
          }
          action={
            <Box display="flex" style={{ gap: 8 }}>
              <LinkButton variant="contained" color="primary" to="/catalog">
                Open the catalog
              </LinkButton>
              <LinkButton variant="outlined" to="/pipelines">
                Open Pipelines
              </LinkButton>
            </Box>
          }
        />
      </Content>
    </Page>
  );
}
