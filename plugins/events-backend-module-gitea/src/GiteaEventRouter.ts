import {
  EventParams,
  EventsService,
  SubTopicEventRouter,
} from '@backstage/plugin-events-node';

/**
 * Republishes events of the `gitea` topic to `gitea.<X-Gitea-Event>`, e.g.
 * `gitea.push` and `gitea.pull_request`, as GitHub's module does with
 * X-GitHub-Event.
 */
export class GiteaEventRouter extends SubTopicEventRouter {
  constructor(options: { events: EventsService }) {
    super({ events: options.events, topic: 'gitea' });
  }

  protected getSubscriberId(): string {
    return 'GiteaEventRouter';
  }

  protected determineSubTopic(params: EventParams): string | undefined {
    const event = params.metadata?.['x-gitea-event'];
    return Array.isArray(event) ? event[0] : event;
  }
}
