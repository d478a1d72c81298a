import { ConfigReader } from '@backstage/config';
import { ServiceAccountAllowList } from './serviceAccounts';

const list = (serviceAccounts?: unknown) =>
  ServiceAccountAllowList.fromConfig(
    new ConfigReader(
      serviceAccounts === undefined ? {} : { pipelines: { serviceAccounts } },
    ),
  );

describe('ServiceAccountAllowList', () => {
  it('allows no account by default', () => {
    expect(() => list().check('ci', 'deployer')).toThrow(
      'serviceAccountName "deployer" is not allowed; allowed: none, leave it unset (pipelines.serviceAccounts in app-config)',
    );
  });

  it('allows listed names in every namespace', () => {
    const allowed = list(['ci-runner']);
    expect(() => allowed.check('ci', 'ci-runner')).not.toThrow();
    expect(() => allowed.check('other', 'ci-runner')).not.toThrow();
    expect(() => allowed.check('ci', 'deployer')).toThrow(
      'serviceAccountName "deployer" is not allowed; allowed: "ci-runner" (pipelines.serviceAccounts in app-config)',
    );
  });

  it('restricts entries with a namespace to it', () => {
    const allowed = list([{ name: 'deployer', namespace: 'ci' }, 'ci-runner']);
    expect(() => allowed.check('ci', 'deployer')).not.toThrow();
    expect(() => allowed.check('other', 'deployer')).toThrow(
      'serviceAccountName "deployer" is not allowed in namespace "other"; allowed: "ci-runner"',
    );
  });

  it('says which entry is malformed', () => {
    expect(() => list([{ namespace: 'ci' }])).toThrow(
      'pipelines.serviceAccounts[0] must be a service account name or { name, namespace }',
    );
    expect(() => list('ci-runner')).toThrow(
      'pipelines.serviceAccounts must be a list',
    );
  });
});
