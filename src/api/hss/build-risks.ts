/**
 * HSS image build-command risk APIs: the images one rule fires on with their risky instructions
 * (ListImageBuildCommandRisksImages, seed contract) and the rules firing across images
 * (ListImageBuildCommandRisks). Rule descriptions come from the build-rule catalog.
 */
import { Type, type Static } from 'typebox';
import { buildRuleById } from '../../detect/build/catalog.js';
import { manifestDigestOf } from '../../store/queries/image-refs.js';
import { listRuleImages, listRuleSummaries } from '../../store/queries/build-risks.js';
import { FindingSeverity, GlobalImageType, hssModule, Limit, listOf, Offset, OptStr, paging, Str, storedTypesOf } from './common.js';

const TAGS = ['HSS Container Images: build-command risks'];

const BuildCommandRisksImageInfo = Type.Object({
  namespace: Type.String(),
  image_digest: Type.String({ description: 'Manifest digest.' }),
  image_id: Type.String(),
  image_name: Type.String(),
  image_version: Type.String(),
  image_type: Type.String(),
  image_size: Type.Integer({ description: 'Bytes.' }),
  latest_scan_time: Type.Integer({ description: 'Last detection time, ms.' }),
  risk_detail_info: Type.Object({
    risk_num: Type.Integer(),
    risk_list: Type.Array(Type.Object({ remediation: Type.String(), build_instruction: Type.String({ description: 'Masked, at most 256 characters; -- for configuration-level risks.' }) })),
  }),
});

const BuildCommandRiskInfo = Type.Object({
  latest_scan_time: Type.Integer({ description: 'Latest detection among the affected images, ms.' }),
  image_num: Type.Integer({ description: 'Affected images.' }),
  risk_id: Type.String({ description: 'Risk ID (the rule ID: one risk per rule).' }),
  rule_id: Type.String(),
  risk_name: Type.String(),
  risk_level: Type.String({ description: 'critical, high, medium or low.' }),
  description: Type.String(),
  image_type: Type.String(),
});

export const hssBuildRisksModule = hssModule('build-risks', ({ hss }) => {
  hss.route({
    method: 'GET',
    path: '/image/build-command-risks/images',
    operationId: 'ListImageBuildCommandRisksImages',
    summary: 'Images affected by a build-command risk rule',
    tags: TAGS,
    querystring: Type.Object({
      offset: Offset,
      limit: Limit,
      image_type: GlobalImageType,
      rule_id: Str(1, 64, 'Risk detection rule ID.'),
      image_id: OptStr(0, 128, 'Image ID.'),
    }),
    response: listOf(BuildCommandRisksImageInfo),
    async handler({ query, scope, services }) {
      const page = await listRuleImages(
        services.store,
        scope,
        { imageTypes: storedTypesOf(query.image_type), ...(query.image_id ? { imageId: query.image_id } : {}) },
        query.rule_id,
        paging(query),
      );
      return {
        total_num: page.total,
        data_list: page.rows.map(
          (r): Static<typeof BuildCommandRisksImageInfo> => ({
            namespace: r.namespace,
            image_digest: manifestDigestOf(r.digest),
            image_id: r.image_id,
            image_name: r.image_name,
            image_version: r.image_version,
            image_type: r.image_type,
            image_size: r.size ?? 0,
            latest_scan_time: r.latest_scan_time ?? 0,
            risk_detail_info: { risk_num: r.risks.length, risk_list: r.risks.map((x) => ({ remediation: x.remediation, build_instruction: x.build_instruction })) },
          }),
        ),
      };
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/build-command-risks',
    operationId: 'ListImageBuildCommandRisks',
    summary: 'Build-command risks across images (one entry per rule)',
    tags: TAGS,
    querystring: Type.Object({
      limit: Limit,
      offset: Offset,
      image_type: GlobalImageType,
      image_id: OptStr(0, 128, 'Image ID.'),
      risk_name: OptStr(1, 512, 'Risk name (substring).'),
      risk_level: Type.Optional(FindingSeverity),
    }),
    response: listOf(BuildCommandRiskInfo),
    async handler({ query, scope, services }) {
      const page = await listRuleSummaries(
        services.store,
        scope,
        { imageTypes: storedTypesOf(query.image_type), ...(query.image_id ? { imageId: query.image_id } : {}) },
        { ...paging(query), nameContains: query.risk_name, severity: query.risk_level },
      );
      return {
        total_num: page.total,
        data_list: page.rows.map(
          (r): Static<typeof BuildCommandRiskInfo> => ({
            latest_scan_time: r.latest_scan_time ?? 0,
            image_num: r.image_num,
            risk_id: r.rule_id,
            rule_id: r.rule_id,
            risk_name: r.name,
            risk_level: r.severity,
            description: buildRuleById(r.rule_id)?.description ?? '',
            image_type: query.image_type,
          }),
        ),
      };
    },
  });
});
