import request from 'supertest';
import type { Role } from '@tollgate/auth';
import type { RunningTollgate } from './tollgate';

/**
 * Creates an API key with the admin key and returns a supertest client that uses it. Pass a getter
 * when the spec restarts Tollgate: the client then follows the running instance. The key's principal
 * defaults to one derived from its name, so keys of different names belong to different people.
 */
export async function keyFor(
  app: RunningTollgate | (() => RunningTollgate),
  role: Role,
  name: string = role,
  connectionIds?: string[],
  principal: string = `${name}@example.test`,
) {
  const current = typeof app === 'function' ? app : () => app;
  const res = await current()
    .api()
    .post('/api-keys')
    .send({ name, principal, role, ...(connectionIds ? { connectionIds } : {}) })
    .expect(201);
  const key = res.body.key as string;
  const wrap =
    (method: 'get' | 'post' | 'patch' | 'delete' | 'put') =>
    (path: string) =>
      request(current().url)[method](`/api/v1${path}`).set('Authorization', `Bearer ${key}`);
  return { id: res.body.id as string, key, get: wrap('get'), post: wrap('post'), patch: wrap('patch'), delete: wrap('delete'), put: wrap('put') };
}
