/**
 * A tiny module registered only in tests: it exercises the foundation the way translators will
 * (schemas, principal, scope) without depending on any real endpoint.
 */
import { Type } from 'typebox';
import { sql } from 'kysely';
import { notFound } from '../../src/api/errors.js';
import type { ApiModule } from '../../src/api/types.js';

export const ImageType = Type.Enum(['private_image', 'shared_image', 'instance_image', 'cicd', 'harbor']);

export const demoModule: ApiModule = {
  name: 'demo',
  register({ hss, alibaba }) {
    hss.route({
      method: 'GET',
      path: '/demo/images/:image_id',
      operationId: 'DemoShowImage',
      summary: 'One image of the caller (demo)',
      params: Type.Object({ image_id: Type.String({ minLength: 1, maxLength: 128 }) }),
      querystring: Type.Object({
        image_type: ImageType,
        limit: Type.Optional(Type.Integer({ minimum: 10, maximum: 200, default: 10 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_000_000, default: 0 })),
      }),
      response: Type.Object({
        total_num: Type.Integer(),
        data_list: Type.Array(Type.Object({ image_id: Type.String(), image_name: Type.String(), enterprise_project_id: Type.String() })),
        limit: Type.Integer(),
      }),
      async handler({ params, query, scope, services }) {
        const row = await services.store.db
          .selectFrom('images')
          .select(['id', 'image_name', 'enterprise_project_id'])
          .where('id', '=', params.image_id)
          .where(scope.visible('images'))
          .executeTakeFirst();
        if (!row) throw notFound('image');
        return { total_num: 1, data_list: [{ image_id: row.id, image_name: row.image_name, enterprise_project_id: row.enterprise_project_id }], limit: query.limit ?? -1 };
      },
    });
    hss.route({
      method: 'GET',
      path: '/demo/images',
      operationId: 'DemoListImages',
      summary: 'The caller\'s images (demo)',
      async handler({ scope, services }) {
        const rows = await services.store.db.selectFrom('images').select(['id']).where(scope.visible('images')).orderBy('id').execute();
        return { total_num: rows.length, data_list: rows.map((r) => r.id) };
      },
    });
    hss.route({
      method: 'POST',
      path: '/demo/echo',
      operationId: 'DemoEcho',
      summary: 'Echoes a validated body (demo)',
      body: Type.Object({ names: Type.Array(Type.String(), { maxItems: 5 }), note: Type.Optional(Type.String()) }),
      async handler({ body }) {
        return { names: body.names, note: body.note ?? null };
      },
    });
    hss.route({
      method: 'POST',
      path: '/demo/operate',
      operationId: 'DemoOperate',
      summary: 'A mutation answering an empty 200 (demo)',
      async handler() {
        return undefined;
      },
    });
    hss.route({
      method: 'GET',
      path: '/demo/bug',
      operationId: 'DemoBug',
      summary: 'A handler bug (demo)',
      async handler() {
        throw new Error('internal detail: /var/lib/secret at db.ts:42');
      },
    });
    hss.route({
      method: 'GET',
      path: '/demo/slow-sql',
      operationId: 'DemoSqlError',
      summary: 'A failing query (demo)',
      async handler({ services }) {
        await sql`SELECT * FROM no_such_table`.execute(services.store.db);
        return {};
      },
    });

    alibaba.registerAction(
      'DescribeDemoImages',
      Type.Object({
        ImageUuid: Type.Optional(Type.String({ maxLength: 128 })),
        ScanRange: Type.Optional(Type.Array(Type.Enum(['image', 'container', 'agentless']))),
        PageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        CurrentPage: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
        Lang: Type.Optional(Type.Enum(['zh', 'en'])),
      }),
      async ({ params, scope, services }) => {
        let q = services.store.db.selectFrom('images').select(['id']).where(scope.visible('images'));
        if (params.ImageUuid !== undefined) q = q.where('id', '=', params.ImageUuid);
        const rows = await q.orderBy('id').execute();
        return { Images: rows.map((r) => r.id), PageSize: params.PageSize, CurrentPage: params.CurrentPage, ScanRange: params.ScanRange ?? null, Lang: params.Lang ?? 'zh' };
      },
      { summary: 'Images of the caller (demo)' },
    );
    alibaba.registerAction(
      'DescribeDemoRequired',
      Type.Object({ SensitiveFileKey: Type.String({ minLength: 1 }), Items: Type.Optional(Type.Array(Type.Object({ Name: Type.String() }))) }),
      async ({ params }) => ({ Key: params.SensitiveFileKey, Items: params.Items ?? [] }),
    );
    alibaba.registerAction('DemoBug', Type.Object({}), async () => {
      throw new Error('internal detail: /var/lib/secret at db.ts:42');
    });
  },
};
