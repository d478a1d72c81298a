import { Content, Header, Page } from '@backstage/core-components';
import { PipelinesRouter } from '../PipelinesRouter';

/**
 * Runs across every namespace and cluster: the runs of every catalog entity
 * that uses Pipelines and whose runs the user may read, with their details.
 */
export function PipelinesPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Pipelines"
        subtitle="Tekton pipeline runs across entities, namespaces and clusters"
      />
      <Content>
        <PipelinesRouter title="Pipeline runs" />
      </Content>
    </Page>
  );
}
