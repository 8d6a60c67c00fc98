/**
 * HSS image baseline APIs: the per-image check summaries (ListImageRiskConfigs, seed contract),
 * the check items of one baseline (ListImageRiskConfigRules) and one item's detail with the
 * image's evidence (ShowImageCheckRuleDetail). Descriptions, audit steps and remediation come
 * from the rule catalog; results and evidence from the stored scan.
 */
import { Type, type Static } from 'typebox';
import { notFound } from '../errors.js';
import { ruleById } from '../../detect/baseline/catalog.js';
import type { RuleReferences } from '../../detect/baseline/types.js';
import { listBaselineRules, listBaselineSummaries, ruleEvaluations } from '../../store/queries/baseline-results.js';
import { REGISTRY_IMAGE_TYPES, type ImageFilter } from '../../store/queries/image-refs.js';
import { baselineSeverity, hssModule, Limit, listOf, Offset, OptStr, paging, Str } from './common.js';

const TAGS = ['HSS Container Images: baseline'];

/** The image types the baseline APIs name, and the stored types each selects. */
const BASELINE_IMAGE_TYPES: Record<string, readonly string[]> = {
  private_image: ['private_image'],
  shared_image: ['shared_image'],
  instance_image: ['instance_image'],
  local_image: ['local_image'],
  local: ['local_image'],
  registry: REGISTRY_IMAGE_TYPES,
  cicd: ['cicd'],
  harbor: ['harbor'],
  jfrog: ['jfrog'],
};
const BaselineImageType = Type.Enum(Object.keys(BASELINE_IMAGE_TYPES), {
  description: 'private_image, shared_image, instance_image, local_image, local (local images), registry (every repository image), cicd, harbor, jfrog.',
});

const SEVERITY_IN: Record<string, string> = { Security: 'security', Low: 'low', Medium: 'medium', High: 'high', Critical: 'critical' };
const STANDARDS = ['cn_standard', 'hw_standard'] as const;
const Standard = Type.Enum([...STANDARDS], { description: 'cn_standard (MLPS compliance) or hw_standard (cloud security practice).' });

/** Image selection shared by the three APIs. `image_id` wins over name and version. */
const ImageSelection = {
  namespace: OptStr(0, 256, 'Organization (private_image and shared_image only).'),
  image_name: OptStr(0, 256, 'Image name.'),
  image_version: OptStr(0, 256, 'Image version (only with image_name).'),
  image_id: OptStr(0, 128, 'Image ID; takes precedence over image_name and image_version.'),
  instance_id: OptStr(0, 128, 'SWR enterprise instance ID: Tarsier has no SWR enterprise instances, so it never narrows the result.'),
};

interface SelectionQuery {
  image_type: string;
  namespace?: string;
  image_name?: string;
  image_version?: string;
  image_id?: string;
}

function selection(q: SelectionQuery, nameContains: boolean): ImageFilter {
  const imageTypes = Object.hasOwn(BASELINE_IMAGE_TYPES, q.image_type) ? BASELINE_IMAGE_TYPES[q.image_type]! : [];
  if (q.image_id !== undefined && q.image_id !== '') return { imageTypes, imageId: q.image_id };
  const namespaced = q.image_type === 'private_image' || q.image_type === 'shared_image';
  const name = q.image_name === '' ? undefined : q.image_name;
  return {
    imageTypes,
    ...(namespaced && q.namespace !== undefined && q.namespace !== '' ? { namespace: q.namespace } : {}),
    ...(name !== undefined ? { imageName: name, imageNameContains: nameContains } : {}),
    ...(name !== undefined && q.image_version !== undefined && q.image_version !== '' ? { imageVersion: q.image_version } : {}),
  };
}

const ImageRiskConfigsInfo = Type.Object({
  severity: Type.String({ description: 'Security, Low, Medium or High.' }),
  check_name: Type.String({ description: 'Baseline name, e.g. CentOS 7, Debian 10, EulerOS, Ubuntu16.' }),
  check_type: Type.String({ description: 'Baseline type: system or ssh.' }),
  standard: Type.String({ description: 'cn_standard or hw_standard.' }),
  check_rule_num: Type.Integer({ description: 'Applicable check items.' }),
  failed_rule_num: Type.Integer({ description: 'Failed check items.' }),
  check_type_desc: Type.String({ description: 'What the baseline checks and how.' }),
});

const CheckRuleInfo = Type.Object({
  severity: Type.String(),
  check_name: Type.String(),
  check_type: Type.String(),
  standard: Type.String(),
  check_rule_name: Type.String(),
  check_rule_id: Type.String(),
  scan_result: Type.String({ description: 'pass or failed.' }),
});

const CheckRuleDetail = Type.Object({
  description: Type.String(),
  reference: Type.String(),
  audit: Type.String(),
  remediation: Type.String(),
  check_info_list: Type.Array(Type.Object({ check_description: Type.String(), current_value: Type.String(), suggest_value: Type.String() })),
});

function referenceText(refs: RuleReferences, standard: string): string {
  const cn = refs.cn ? `GB/T 22239-2019 (MLPS 2.0 level 3) ${refs.cn}` : undefined;
  const hw = refs.hw ? `openEuler security configuration benchmark ${refs.hw}` : undefined;
  const ordered = standard === 'hw_standard' ? [hw, cn] : [cn, hw];
  return [...ordered, refs.cis ? `CIS ${refs.cis}` : undefined, refs.ssg ? `SCAP Security Guide ${refs.ssg}` : undefined].filter((x) => x !== undefined).join('; ');
}

export const hssBaselineModule = hssModule('baseline', ({ hss }) => {
  hss.route({
    method: 'GET',
    path: '/image/baseline/risk-configs',
    operationId: 'ListImageRiskConfigs',
    summary: 'Image security configuration check results',
    description:
      'One entry per image and baseline (check name, type and standard). As in HSS, an image_type, severity or standard outside its range answers an empty list; image_name matches a substring.',
    tags: TAGS,
    querystring: Type.Object({
      image_type: Str(1, 256, 'private_image, shared_image, local_image, instance_image, registry, local (and cicd, harbor, jfrog); another value answers an empty list.'),
      offset: Offset,
      limit: Limit,
      ...ImageSelection,
      check_name: OptStr(0, 256, 'Baseline name, e.g. CentOS 7, Debian 10, EulerOS, Ubuntu16.'),
      severity: OptStr(0, 64, 'Security, Low, Medium or High; another value answers an empty list.'),
      standard: OptStr(0, 64, 'cn_standard or hw_standard; another value answers an empty list.'),
    }),
    response: listOf(ImageRiskConfigsInfo),
    async handler({ query, scope, services }) {
      const outOfRange =
        !Object.hasOwn(BASELINE_IMAGE_TYPES, query.image_type) ||
        (query.severity !== undefined && !Object.hasOwn(SEVERITY_IN, query.severity)) ||
        (query.standard !== undefined && !(STANDARDS as readonly string[]).includes(query.standard));
      if (outOfRange) return { total_num: 0, data_list: [] };
      const page = await listBaselineSummaries(services.store, scope, selection(query, true), {
        ...paging(query),
        checkName: query.check_name === '' ? undefined : query.check_name,
        severity: query.severity === undefined ? undefined : SEVERITY_IN[query.severity],
        standard: query.standard,
      });
      return {
        total_num: page.total,
        data_list: page.rows.map(
          (r): Static<typeof ImageRiskConfigsInfo> => ({
            severity: baselineSeverity(r.severity),
            check_name: r.check_name,
            check_type: r.check_type,
            standard: r.standard,
            check_rule_num: r.check_rule_num,
            failed_rule_num: r.failed_rule_num,
            check_type_desc: r.check_type_desc,
          }),
        ),
      };
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/baseline/risk-configs/:check_name/rules',
    operationId: 'ListImageRiskConfigRules',
    summary: 'Check items of one baseline',
    description: 'Without an image, the items over every selected image (failed when failed on any).',
    tags: TAGS,
    params: Type.Object({ check_name: Str(1, 256, 'Baseline name.') }),
    querystring: Type.Object({
      image_type: BaselineImageType,
      standard: Standard,
      offset: Offset,
      limit: Limit,
      ...ImageSelection,
      result_type: Type.Optional(Type.Enum(['pass', 'failed'], { description: 'pass or failed.' })),
      check_rule_name: OptStr(0, 256, 'Check item name (substring).'),
      severity: Type.Optional(Type.Enum(Object.keys(SEVERITY_IN), { description: 'Security, Low, Medium, High, Critical.' })),
    }),
    response: listOf(CheckRuleInfo),
    async handler({ params, query, scope, services }) {
      const page = await listBaselineRules(services.store, scope, selection(query, false), {
        ...paging(query),
        checkName: params.check_name,
        standard: query.standard,
        status: query.result_type === undefined ? undefined : query.result_type === 'pass' ? 'passed' : 'failed',
        titleContains: query.check_rule_name,
        severity: query.severity === undefined ? undefined : SEVERITY_IN[query.severity],
      });
      return {
        total_num: page.total,
        data_list: page.rows.map(
          (r): Static<typeof CheckRuleInfo> => ({
            severity: baselineSeverity(r.severity),
            check_name: r.check_name,
            check_type: r.check_type,
            standard: r.standard,
            check_rule_name: r.title,
            check_rule_id: r.rule_id,
            scan_result: r.status === 'passed' ? 'pass' : 'failed',
          }),
        ),
      };
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/baseline/check-rule/detail',
    operationId: 'ShowImageCheckRuleDetail',
    summary: 'One check item: description, audit, remediation and the image\'s evidence',
    tags: TAGS,
    querystring: Type.Object({
      image_type: BaselineImageType,
      check_name: Str(1, 256, 'Baseline name.'),
      check_type: Str(1, 256, 'Baseline type (system or ssh).'),
      check_rule_id: Str(1, 64, 'Check item ID.'),
      standard: Standard,
      ...ImageSelection,
    }),
    response: CheckRuleDetail,
    async handler({ query, scope, services }) {
      const rule = ruleById(query.check_rule_id);
      if (!rule || rule.checkType !== query.check_type) throw notFound('check rule');
      const evaluated = await ruleEvaluations(services.store, scope, selection(query, false), {
        checkName: query.check_name,
        checkType: query.check_type,
        standard: query.standard,
        ruleId: rule.id,
      });
      if (!evaluated.found) throw notFound('check rule result');
      return {
        description: rule.description,
        reference: referenceText(rule.references, query.standard),
        audit: rule.audit,
        remediation: rule.remediation,
        check_info_list: evaluated.evidence.map((e) => ({
          check_description: e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}` : rule.title,
          current_value: e.currentValue ?? '',
          suggest_value: e.suggestedValue ?? '',
        })),
      };
    },
  });
});
