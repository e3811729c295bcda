import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { etagOf, ifNoneMatchHits, publishedContentHeaders } from '../../../shared/cache/http-cache';
import { ResponseCache } from '../../../shared/cache/response-cache';
import { createRequestGuard } from '../../../shared/security/request-guard';

describe('L3 HTTP caching', () => {
  describe('publishedContentHeaders', () => {
    it('defaults to the seed\'s year for published content, with the tags as purge keys', () => {
      expect(publishedContentHeaders({ tags: ['post:42', 'author:7'] })).toEqual({
        'Cache-Control': 'public, max-age=31536000',
        'Surrogate-Key': 'post:42 author:7',
        'Cache-Tag': 'post:42,author:7',
      });
      expect(publishedContentHeaders({ maxAgeSeconds: 60, sMaxAgeSeconds: 3600, immutable: true })['Cache-Control']).toBe('public, max-age=60, s-maxage=3600, immutable');
      expect(publishedContentHeaders({ maxAgeSeconds: 0, private: true, tags: ['x'] })).toEqual({ 'Cache-Control': 'private, no-cache' });
      expect(() => publishedContentHeaders({ tags: ['two words'] })).toThrow(/tag "two words"/);
    });
  });

  describe('ifNoneMatchHits', () => {
    it('compares weakly, in lists, and honours *', () => {
      const etag = etagOf('hello');
      expect(ifNoneMatchHits(etag, etag)).toBe(true);
      expect(ifNoneMatchHits(`"other", W/${etag}`, etag)).toBe(true);
      expect(ifNoneMatchHits('*', etag)).toBe(true);
      expect(ifNoneMatchHits('"other"', etag)).toBe(false);
      expect(ifNoneMatchHits(undefined, etag)).toBe(false);
    });
  });

  describe("the request guard's Express integration", () => {
    let server: Server;
    let base: string;
    let renders = 0;
    const cache = new ResponseCache({ redisUrl: '' });

    beforeAll(async () => {
      const app = express();
      const guard = createRequestGuard();
      app.get('/posts/:slug', guard.middleware(), async (req, res) => {
        const slug = String(req.params.slug);
        const html = await cache.getOrSet('published', slug, () => `<h1>${slug} v${++renders}</h1>`, { tags: [`post:${slug}`] });
        res.locals.governor.sendPublished(html, { tags: [`post:${slug}`], maxAgeSeconds: cache.settings.namespaces.published!.httpMaxAgeSeconds });
      });
      server = app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await cache.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('sends caching headers and an ETag, then 304 without a body for a matching If-None-Match', async () => {
      const first = await fetch(`${base}/posts/hello`);
      expect(first.status).toBe(200);
      expect(await first.text()).toBe('<h1>hello v1</h1>');
      expect(first.headers.get('cache-control')).toBe('public, max-age=31536000');
      expect(first.headers.get('surrogate-key')).toBe('post:hello');
      // The guard's security headers are there too.
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');
      const etag = first.headers.get('etag')!;
      expect(etag).toBe(etagOf('<h1>hello v1</h1>'));

      const revalidated = await fetch(`${base}/posts/hello`, { headers: { 'If-None-Match': etag } });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe('');
      expect(revalidated.headers.get('etag')).toBe(etag);

      // Invalidating the tag changes the content, so the old ETag no longer matches.
      await cache.invalidate({ tag: 'post:hello' });
      const changed = await fetch(`${base}/posts/hello`, { headers: { 'If-None-Match': etag } });
      expect(changed.status).toBe(200);
      expect(await changed.text()).toBe('<h1>hello v2</h1>');
      expect(changed.headers.get('etag')).not.toBe(etag);
    });
  });
});
