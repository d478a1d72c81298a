import { describeIssues } from '@cairn/request-schemas';
import { createSessionBodySchema } from './requests';

const target = {
  entityRef: 'Component:default/shop',
  cluster: 'dev',
  namespace: 'shop',
  pod: 'shop-0',
  container: 'app',
};

describe('createSessionBodySchema', () => {
  it('accepts a toolkit session and normalises the entity ref', () => {
    const parsed = createSessionBodySchema.parse({
      ...target,
      toolkit: 'netshoot',
      mode: 'ephemeral',
      ttlSeconds: 600,
    });
    expect(parsed.entityRef).toBe('component:default/shop');
  });

  it('wants exactly one of toolkit and image', () => {
    const both = createSessionBodySchema.safeParse({
      ...target,
      toolkit: 'netshoot',
      image: 'busybox',
    });
    const none = createSessionBodySchema.safeParse(target);
    expect(describeIssues(both.error!)).toEqual([
      'toolkit: name exactly one of toolkit and image',
    ]);
    expect(describeIssues(none.error!)).toEqual([
      'toolkit: name exactly one of toolkit and image',
    ]);
  });

  it('refuses a bad profile and a bad pod name with the field named', () => {
    const result = createSessionBodySchema.safeParse({
      ...target,
      pod: 'Shop_0',
      toolkit: 'busybox',
      profile: 'root',
    });
    const issues = describeIssues(result.error!);
    expect(issues).toContain(
      'profile: must be one of general, baseline, restricted, netadmin, sysadmin',
    );
    expect(issues.some(issue => issue.startsWith('pod: Invalid value'))).toBe(
      true,
    );
  });
});
