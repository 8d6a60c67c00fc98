/**
 * Alibaba Cloud Security Center (Sas 2018-12-03) image sensitive-file actions:
 * DescribeImageSensitiveFileByKey (seed 001), DescribeImageSensitiveFileList,
 * DescribeImageListBySensitiveFile and SetImageSensitiveFileStatus. Parameter and field names,
 * types and enums follow the vendor SDK models (aliyun/alibabacloud-typescript-sdk sas-20181203);
 * see docs/alibaba-api.md for the Tarsier-specific choices. Validation and mapping only: the
 * queries live in src/store/queries/alibaba-sensitive.ts, handling in finding-states.ts.
 */
import { Type } from 'typebox';
import { SENSITIVE_CATALOG, SENSITIVE_KEYS, describeSensitive } from '../../detect/sensitive/catalog.js';
import { listImagesWithSensitive, listSensitiveFiles, sensitiveFingerprints, summarizeSensitiveKeys, type KeyMatch, type Page } from '../../store/queries/alibaba-sensitive.js';
import { setFindingStatesFrom, type FindingState } from '../../store/queries/finding-states.js';
import { ApiError } from '../errors.js';
import type { ApiModule } from '../types.js';
import {
  aliRiskLevel,
  bareDigest,
  coversImages,
  CurrentPageParam,
  imageIdCandidates,
  ImageUuidParam,
  LangParam,
  NO_NUL,
  pageInfo,
  PageInfoSchema,
  PageSizeParam,
  RiskLevelParam,
  ScanRangeParam,
  SensitiveFileKeyParam,
  severitiesFor,
  splitImageUuids,
  SUCCESS,
  SuccessFields,
  type AliLang,
} from './common.js';
import { sensitiveClass, sensitiveClassName } from './sensitive-classes.js';

const page = (p: { CurrentPage?: number; PageSize?: number }): Page & { current: number; size: number } => {
  const current = p.CurrentPage ?? 1;
  const size = p.PageSize ?? 20;
  return { current, size, limit: size, offset: (current - 1) * size };
};

/** In-image paths are stored relative to the root; the vendor shows them absolute. */
const absolute = (path: string): string => (path.startsWith('/') ? path : `/${path}`);

const ByKeyParams = Type.Object({
  SensitiveFileKey: Type.Optional(SensitiveFileKeyParam),
  ImageUuid: ImageUuidParam,
  ScanRange: ScanRangeParam,
  Lang: LangParam,
  CurrentPage: CurrentPageParam,
  PageSize: PageSizeParam,
});

const ByKeyResponse = Type.Object({
  SensitiveFileList: Type.Array(
    Type.Object({
      FilePath: Type.String(),
      LayerDigest: Type.String(),
      Promt: Type.String({ description: 'The sensitive content, masked (the vendor spells it Promt).' }),
      Advice: Type.String(),
      RiskLevel: Type.Enum(['high', 'medium', 'low']),
      SensitiveFileKey: Type.String(),
      SensitiveFileName: Type.String(),
      FirstScanTime: Type.Integer({ description: 'Epoch milliseconds.' }),
      LastScanTime: Type.Integer({ description: 'Epoch milliseconds.' }),
      Description: Type.String(),
      Md5: Type.String(),
    }),
  ),
  PageInfo: PageInfoSchema,
  ...SuccessFields,
});

const ListParams = Type.Object({
  Criteria: Type.Optional(Type.String({ maxLength: 128, pattern: NO_NUL, description: 'Search text: part of a key or of a name (see CriteriaType).' })),
  CriteriaType: Type.Optional(Type.Enum(['SensitiveFileKey', 'SensitiveFileName'], { description: 'What Criteria searches; both when absent.' })),
  ImageUuid: ImageUuidParam,
  RiskLevel: RiskLevelParam,
  ScanRange: ScanRangeParam,
  SensitiveKeyList: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128, pattern: NO_NUL }), { maxItems: 200, description: 'Only these sensitive file types.' })),
  Lang: LangParam,
  CurrentPage: CurrentPageParam,
  PageSize: PageSizeParam,
});

const ListResponse = Type.Object({
  SensitiveFileList: Type.Array(
    Type.Object({
      SensitiveFileKey: Type.String(),
      SensitiveFileName: Type.String(),
      ClassKey: Type.String(),
      ClassName: Type.String(),
      RiskLevel: Type.Enum(['high', 'medium', 'low']),
      Count: Type.Integer({ description: 'Findings (image × file) of this type.' }),
      UnprocessedNum: Type.Integer({ description: 'Images with an unhandled finding of this type.' }),
      Status: Type.Integer({ description: '0: something is unhandled; 1: all handled.' }),
      Advice: Type.String(),
      Description: Type.String(),
      FirstScanTime: Type.Integer(),
      LastScanTime: Type.Integer(),
    }),
  ),
  PageInfo: PageInfoSchema,
  ...SuccessFields,
});

const STATUS_CODES = { unhandled: '0', ignored: '1', false_positive: '2' } as const;
const STATUS_NAMES = { '0': 'unhandled', '1': 'ignored', '2': 'false_positive' } as const;

const ImagesParams = Type.Object({
  SensitiveFileKey: Type.Optional(SensitiveFileKeyParam),
  ImageDigest: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: NO_NUL, description: 'Part of the image digest.' })),
  RepoName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: NO_NUL, description: 'Part of the repository (image) name.' })),
  RepoNamespace: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: NO_NUL, description: 'Part of the namespace.' })),
  RepoInstanceId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: NO_NUL, description: 'Registry id.' })),
  RiskLevel: RiskLevelParam,
  Status: Type.Optional(Type.Enum(['0', '1', '2'], { description: '0 unhandled, 1 ignored, 2 false positive.' })),
  ScanRange: ScanRangeParam,
  Lang: LangParam,
  CurrentPage: CurrentPageParam,
  PageSize: PageSizeParam,
});

const ImagesResponse = Type.Object({
  ImageInfos: Type.Array(
    Type.Object({
      Uuid: Type.String(),
      Digest: Type.String(),
      Tag: Type.String(),
      RepoName: Type.String(),
      RepoNamespace: Type.String(),
      InstanceId: Type.String(),
      InstanceName: Type.String(),
      RegionId: Type.String(),
      RiskLevel: Type.Enum(['high', 'medium', 'low']),
      Status: Type.Enum(['0', '1', '2']),
      FirstScanTime: Type.Integer(),
      LastScanTime: Type.Integer(),
    }),
  ),
  PageInfo: PageInfoSchema,
  ...SuccessFields,
});

const SetStatusParams = Type.Object({
  SensitiveFileKey: SensitiveFileKeyParam,
  ImageUuids: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000, pattern: NO_NUL, description: 'Image UUIDs separated by commas; every image of the caller when absent.' })),
  IdList: Type.Optional(Type.Array(Type.Integer(), { maxItems: 1000, description: 'Not supported: Tarsier has no numeric sensitive-file ids (only an empty list is accepted).' })),
  ScanRange: ScanRangeParam,
  Status: Type.Integer({ minimum: 0, maximum: 2, description: '0 unhandled, 1 ignored (whitelisted), 2 false positive.' }),
});

const SetStatusResponse = Type.Object({
  RequestId: Type.String(),
  Success: Type.Boolean(),
  Code: Type.String(),
  Message: Type.String(),
  Data: Type.Object({ Id: Type.Integer({ description: 'Tarsier: how many sensitive files (distinct rule, path, content) the status now applies to.' }) }),
});

const SET_STATES: Record<number, FindingState> = { 0: 'unhandled', 1: 'ignored', 2: 'false_positive' };

/** Criteria → which keys match: names are looked up in the catalog (custom keys are named by their key). */
function criteriaMatch(criteria: string | undefined, type: 'SensitiveFileKey' | 'SensitiveFileName' | undefined): KeyMatch | undefined {
  if (criteria === undefined || criteria.trim() === '') return undefined;
  const needle = criteria.trim().toLowerCase();
  if (type === 'SensitiveFileKey') return { keys: [], contains: needle };
  const byName = SENSITIVE_KEYS.filter((k) => {
    const e = SENSITIVE_CATALOG.get(k)!;
    return e.name.en.toLowerCase().includes(needle) || e.name.zh.toLowerCase().includes(needle);
  });
  if (type === 'SensitiveFileName') return { keys: byName, contains: needle, containsOutside: SENSITIVE_KEYS };
  return { keys: byName, contains: needle };
}

const emptyPage = (p: { current: number; size: number }) => pageInfo(p.current, p.size, 0, 0, undefined);

export const alibabaSensitiveModule: ApiModule = {
  name: 'alibaba-sensitive',
  register({ alibaba }) {
    alibaba.registerAction(
      'DescribeImageSensitiveFileByKey',
      ByKeyParams,
      async ({ params, scope, services }) => {
        const pg = page(params);
        const lang: AliLang = params.Lang ?? 'zh';
        if (!coversImages(params.ScanRange)) return { SensitiveFileList: [], PageInfo: emptyPage(pg), ...SUCCESS };
        const { total, rows } = await listSensitiveFiles(
          services.store,
          scope,
          { imageIds: params.ImageUuid === undefined ? undefined : imageIdCandidates(params.ImageUuid), key: params.SensitiveFileKey },
          pg,
        );
        const list = rows.map((r) => {
          const d = describeSensitive(r.key, lang);
          return {
            FilePath: absolute(r.path),
            LayerDigest: bareDigest(r.layerDigest),
            Promt: r.masked,
            Advice: d.advice,
            RiskLevel: aliRiskLevel(r.severity),
            SensitiveFileKey: r.key,
            SensitiveFileName: d.name,
            FirstScanTime: r.firstSeen,
            LastScanTime: r.lastSeen,
            Description: d.description,
            Md5: r.md5,
          };
        });
        return { SensitiveFileList: list, PageInfo: pageInfo(pg.current, pg.size, total, list.length, rows.at(-1)?.fingerprint), ...SUCCESS };
      },
      {
        summary: 'Sensitive files of an image (of all images when ImageUuid is absent), by sensitive file type',
        description: 'One entry per sensitive file (rule, path, content); over several images a file appears once with its earliest and latest sighting. Promt is the masked content.',
        response: ByKeyResponse,
      },
    );

    alibaba.registerAction(
      'DescribeImageSensitiveFileList',
      ListParams,
      async ({ params, scope, services }) => {
        const pg = page(params);
        const lang: AliLang = params.Lang ?? 'zh';
        if (!coversImages(params.ScanRange)) return { SensitiveFileList: [], PageInfo: emptyPage(pg), ...SUCCESS };
        const { total, rows } = await summarizeSensitiveKeys(
          services.store.db,
          scope,
          {
            imageIds: params.ImageUuid === undefined ? undefined : imageIdCandidates(params.ImageUuid),
            keyIn: params.SensitiveKeyList?.length ? params.SensitiveKeyList : undefined,
            keyMatch: criteriaMatch(params.Criteria, params.CriteriaType),
            severities: severitiesFor(params.RiskLevel),
          },
          pg,
        );
        const list = rows.map((r) => {
          const d = describeSensitive(r.key, lang);
          const cls = sensitiveClass(r.key);
          return {
            SensitiveFileKey: r.key,
            SensitiveFileName: d.name,
            ClassKey: cls,
            ClassName: sensitiveClassName(cls, lang),
            RiskLevel: aliRiskLevel(r.severity),
            Count: r.findings,
            UnprocessedNum: r.unhandledImages,
            Status: r.unhandledImages > 0 ? 0 : 1,
            Advice: d.advice,
            Description: d.description,
            FirstScanTime: r.firstSeen,
            LastScanTime: r.lastSeen,
          };
        });
        return { SensitiveFileList: list, PageInfo: pageInfo(pg.current, pg.size, total, list.length, rows.at(-1)?.key), ...SUCCESS };
      },
      { summary: 'Sensitive file types found in images, with counts and handling status', response: ListResponse },
    );

    alibaba.registerAction(
      'DescribeImageListBySensitiveFile',
      ImagesParams,
      async ({ params, scope, services }) => {
        const pg = page(params);
        if (!coversImages(params.ScanRange)) return { ImageInfos: [], PageInfo: emptyPage(pg), ...SUCCESS };
        const { total, rows } = await listImagesWithSensitive(
          services.store.db,
          scope,
          { key: params.SensitiveFileKey, severities: severitiesFor(params.RiskLevel) },
          {
            digestContains: params.ImageDigest,
            nameContains: params.RepoName,
            namespaceContains: params.RepoNamespace,
            registryId: params.RepoInstanceId,
            status: params.Status === undefined ? undefined : STATUS_NAMES[params.Status],
          },
          pg,
        );
        const list = rows.map((r) => ({
          Uuid: r.imageId,
          Digest: bareDigest(r.digest),
          Tag: r.imageVersion,
          RepoName: r.imageName,
          RepoNamespace: r.namespace,
          InstanceId: r.registryId ?? '',
          InstanceName: r.registryName ?? '',
          RegionId: '',
          RiskLevel: aliRiskLevel(r.severity),
          Status: STATUS_CODES[r.status],
          FirstScanTime: r.firstSeen,
          LastScanTime: r.lastSeen,
        }));
        return { ImageInfos: list, PageInfo: pageInfo(pg.current, pg.size, total, list.length, rows.at(-1)?.imageId), ...SUCCESS };
      },
      { summary: 'Images carrying a sensitive file type, with their handling status', response: ImagesResponse },
    );

    alibaba.registerAction(
      'SetImageSensitiveFileStatus',
      SetStatusParams,
      async ({ params, principal, scope, services }) => {
        if (params.IdList !== undefined && params.IdList.length > 0) {
          throw new ApiError('invalid_parameter', 'The specified parameter "IdList" is not valid: Tarsier has no numeric sensitive-file ids; select files with SensitiveFileKey and ImageUuids.', { param: 'IdList' });
        }
        const imageIds = splitImageUuids(params.ImageUuids);
        let n = 0;
        if (coversImages(params.ScanRange)) {
          n = await setFindingStatesFrom(services.store.db, {
            projectId: principal.projectId,
            kind: 'sensitive',
            state: SET_STATES[params.Status]!,
            source: sensitiveFingerprints(services.store.db, scope, { key: params.SensitiveFileKey, imageIds }),
          });
        }
        return { Success: true, Code: '200', Message: 'successful', Data: { Id: n } };
      },
      {
        summary: 'Sets the handling status of a sensitive file type in images (0 unhandled, 1 ignored, 2 false positive)',
        description:
          'Handling is kept per project and sensitive file (rule, path, content), shared with the HSS surface: a file ignored here is ignored in every image of the project that carries it, and after rescans.',
        response: SetStatusResponse,
      },
    );
  },
};
