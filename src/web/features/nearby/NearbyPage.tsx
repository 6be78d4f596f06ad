// 附近的诉求 (/resident/nearby): anyone, signed in or not, sees the open cases around them on a map
// and as a list, so a problem already reported need not be reported again. Centre: ?lon=&lat=,
// else the phone's position, else the city centre; a tap on the map moves it.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Alert, Button, Radio } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FeatureCollection } from 'geojson';
import { api } from '../../lib/api';
import { AntShell } from '../../lib/AntShell';
import { categoryName, useCategories } from '../../lib/reference';
import { formatCode } from '../../lib/time';
import { ResidentNav } from '../resident/ResidentNav';
import { NearbyList } from './NearbyList';
import { useNearby, type Point } from './nearby';

const TerritoryMap = lazy(() => import('../map/TerritoryMap'));

const radii = [500, 1000, 3000] as const;
/** Where the map opens when the phone gives no position: the civic centre. */
const cityCentre: Point = { lon: 114.055, lat: 22.543 };
const coord = (v: string | null, max: number) => (v !== null && v.trim() !== '' && Number.isFinite(Number(v)) && Math.abs(Number(v)) <= max ? Number(v) : null);

export default function NearbyPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const categories = useCategories();
  const given = useMemo(() => {
    const lon = coord(params.get('lon'), 180);
    const lat = coord(params.get('lat'), 90);
    return lon !== null && lat !== null ? { lon, lat } : null;
  }, [params]);
  const radius = radii.find((r) => String(r) === params.get('radius')) ?? 1000;
  const [located, setLocated] = useState<Point | null>(null);
  const [positionFailed, setPositionFailed] = useState(false);
  const centre = given ?? located;
  const { result, error, loading } = useNearby(centre, radius, 100);
  const [geojson, setGeojson] = useState<FeatureCollection | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  const move = (p: Point, r: number = radius) => setParams({ lon: String(p.lon), lat: String(p.lat), radius: String(r) }, { replace: true });
  function locate() {
    setPositionFailed(false);
    if (!navigator.geolocation) {
      setPositionFailed(true);
      setLocated((l) => l ?? cityCentre);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => move({ lon: Math.round(pos.coords.longitude * 1e5) / 1e5, lat: Math.round(pos.coords.latitude * 1e5) / 1e5 }),
      () => {
        setPositionFailed(true);
        setLocated((l) => l ?? cityCentre);
      },
      { enableHighAccuracy: false, timeout: 10_000, maximumAge: 60_000 },
    );
  }
  useEffect(() => {
    if (!given) locate();
    api.get<FeatureCollection>('/territories/geojson?level=street').then(setGeojson, () => setGeojson(null));
    // Once, on arrival: later moves come from the map, the buttons and the radius.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const markers = useMemo(
    () =>
      (result?.items ?? []).map((c) => ({
        key: c.code,
        lon: c.lon,
        lat: c.lat,
        label: `${categoryName(categories, c.categoryCode)} · ${t(`status.${c.status}`)} · ${formatCode(c.code)}`,
        colour: c.code === selected ? '#b3102a' : undefined,
      })),
    [result, categories, selected, t],
  );
  const radiusLabel = (r: number) => (r < 1000 ? t('nearby.metres', { n: r }) : t('nearby.kilometres', { n: r / 1000 }));
  const circle = useMemo(() => (centre ? { lon: centre.lon, lat: centre.lat, radiusM: radius } : null), [centre, radius]);

  return (
    <AntShell>
      <div className="gz-mobile">
        <ResidentNav />
        <section className="gz-panel">
          <h1>{t('nearby.title')}</h1>
          <p className="gz-hint">{t('nearby.intro')}</p>
          <div className="gz-nearby-tools">
            <Radio.Group
              optionType="button"
              value={radius}
              onChange={(e) => centre && move(centre, e.target.value as number)}
              options={radii.map((r) => ({ value: r, label: radiusLabel(r) }))}
              aria-label={t('nearby.radius')}
            />
            <Button onClick={locate}>{t('resident.usePosition')}</Button>
          </div>
          {positionFailed && !given && <Alert type="info" title={t('nearby.noPosition')} style={{ marginBottom: 8 }} />}
          <Suspense fallback={<div className="gz-map" />}>
            <TerritoryMap
              geojson={geojson}
              pin={centre}
              circle={circle}
              markers={markers}
              onMarkerClick={(code) => {
                setSelected(code);
                document.getElementById(`nearby-${code}`)?.scrollIntoView({ block: 'nearest' });
              }}
              onPick={(p) => move(p)}
              label={t('nearby.mapLabel')}
            />
          </Suspense>
          <p className="gz-hint" style={{ marginTop: 6 }}>
            {t('nearby.privacy')}
          </p>
          <div aria-live="polite" data-testid="nearby-count">
            {loading && !result && <p role="status">{t('app.loading')}</p>}
            {result && <p className="gz-nearby-count">{result.total > 0 ? t('nearby.count', { count: result.total, radius: radiusLabel(radius) }) : t('nearby.none')}</p>}
          </div>
          {error && <Alert type="error" title={error} role="alert" />}
          {result && result.items.length > 0 && <NearbyList items={result.items} categories={categories} selected={selected} />}
          <p style={{ marginTop: 12 }}>
            <Link to="/resident">{t('nearby.reportNew')}</Link>
          </p>
        </section>
      </div>
    </AntShell>
  );
}
