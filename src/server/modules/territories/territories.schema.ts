// Request and response schemas for territories: the single source of validation, types and OpenAPI.
import { Type, type TSchema } from 'typebox';
import { Timestamp, Uuid } from '../../lib/schemas.ts';

/** The levels of the one territory tree, root first; a territory's depth is its index here. */
export const territoryLevels = ['city', 'district', 'street', 'community', 'grid', 'building'] as const;
export type TerritoryLevel = (typeof territoryLevels)[number];

export function isTerritoryLevel(value: unknown): value is TerritoryLevel {
  return typeof value === 'string' && (territoryLevels as readonly string[]).includes(value);
}

export const codePattern = /^[A-Za-z0-9_-]{1,32}$/;

export const LevelName = Type.Enum(territoryLevels);
export const TerritoryCode = Type.String({ pattern: codePattern.source, description: 'Territory code: 1–32 letters, digits, "-" or "_"' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Centroid = Nullable(Type.Object({ lon: Type.Number(), lat: Type.Number() }));

/** What anyone may see: enough to draw a tree or a map. */
export const TerritorySummaryView = Type.Object({
  code: Type.String(),
  level: LevelName,
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
  path: Type.String(),
  centroid: Centroid,
});

export const TerritoryDetailView = Type.Object({
  id: Uuid,
  code: Type.String(),
  parentCode: Nullable(Type.String()),
  level: LevelName,
  depth: Type.Integer(),
  path: Type.String(),
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
  centroid: Centroid,
  households: Nullable(Type.Integer()),
  population: Nullable(Type.Integer()),
  boundary: Type.Unknown({ description: 'GeoJSON Polygon or MultiPolygon (WGS84), or null' }),
  updatedAt: Timestamp,
});

export const LocatedTerritoryView = Type.Object({
  code: Type.String(),
  level: LevelName,
  path: Type.String(),
  nameZh: Type.String(),
  nameEn: Nullable(Type.String()),
});

export const LocateResponse = Type.Object({
  territory: LocatedTerritoryView,
  chain: Type.Array(LocatedTerritoryView, { description: 'Root first, the located territory last' }),
});

export const LocateQuery = Type.Object({
  lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, WGS84' }),
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, WGS84' }),
});

export const ChildrenQuery = Type.Object({
  parent: Type.Optional(TerritoryCode),
});

export const CodeParams = Type.Object({ code: TerritoryCode });

export const MapQuery = Type.Object({
  root: Type.Optional(TerritoryCode),
  level: Type.Optional(LevelName),
});

export const ExportQuery = Type.Object({
  root: Type.Optional(TerritoryCode),
  level: Type.Optional(Type.Enum(territoryLevels, { description: 'The deepest level to include' })),
});

export const FeatureProperties = Type.Object({
  code: Type.String(),
  parent: Nullable(Type.String()),
  level: LevelName,
  name: Type.String({ description: 'Chinese name' }),
  name_en: Type.Optional(Type.String()),
  households: Type.Optional(Type.Integer({ minimum: 0 })),
  population: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const TerritoryFeatureCollection = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(
      Type.Object({
        type: Type.Literal('Feature'),
        id: Type.String(),
        // Unchecked on the way out: it comes from validated rows, and stringifying it plainly is fast.
        geometry: Type.Unknown({ description: 'Polygon or MultiPolygon (WGS84); null only for buildings' }),
        properties: FeatureProperties,
      }),
    ),
  },
  { description: 'Territories as GeoJSON; the import accepts exactly this format' },
);

/**
 * The import body is checked by the importer, not here, so that every bad feature is reported
 * at once (422 with one line per feature) rather than the first schema error alone.
 */
export const ImportBody = Type.Unknown({
  description:
    'A GeoJSON FeatureCollection. Each feature: geometry Polygon/MultiPolygon (null only for buildings) and ' +
    'properties { code, parent (code, or null for the city), level, name, name_en?, households?, population? }.',
});

export const ImportResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  total: Type.Integer(),
});

export const UpdateBody = Type.Object(
  {
    nameZh: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    nameEn: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    households: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
    population: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100_000_000 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
