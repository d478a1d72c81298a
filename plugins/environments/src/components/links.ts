/** The Environments page's query parameter naming the environment shown: `<cluster>/<name>`. */
export const ENVIRONMENT_PARAM = 'environment';

/** The query that opens an environment on the Environments page. */
export function environmentQuery(environment: {
  cluster: string;
  name: string;
}): string {
  return `?${new URLSearchParams({
    [ENVIRONMENT_PARAM]: `${environment.cluster}/${environment.name}`,
  })}`;
}

/** The Environments page's query parameter naming the request shown (a notification's link): its id. */
export const REQUEST_PARAM = 'request';
