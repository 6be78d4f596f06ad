// Leaflet map of territory polygons with no base tiles by default (works offline; the demo city's
// boundaries are synthetic anyway). Optional: a pin the user places, a click handler per feature.
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { FeatureCollection } from 'geojson';

export interface TerritoryMapProps {
  geojson: FeatureCollection | null;
  pin?: { lon: number; lat: number } | null;
  onPick?: (p: { lon: number; lat: number }) => void;
  onFeatureClick?: (code: string, name: string) => void;
  /** Fill opacity per feature code, 0..1 (a heat map). */
  heat?: Record<string, number>;
  highlight?: string | null;
  label: string;
  tall?: boolean;
  /** Optional tile URL template, e.g. an intranet tile server; none by default. */
  tileUrl?: string;
}

export default function TerritoryMap({ geojson, pin, onPick, onFeatureClick, heat, highlight, label, tall, tileUrl }: TerritoryMapProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.GeoJSON | null>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const pickRef = useRef(onPick);
  const clickRef = useRef(onFeatureClick);
  useEffect(() => {
    pickRef.current = onPick;
    clickRef.current = onFeatureClick;
  });

  useEffect(() => {
    if (!el.current) return;
    const m = L.map(el.current, { attributionControl: false, zoomSnap: 0.25 }).setView([22.6, 114.05], 10);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(m);
    m.on('click', (e: L.LeafletMouseEvent) => pickRef.current?.({ lon: round(e.latlng.lng), lat: round(e.latlng.lat) }));
    map.current = m;
    return () => {
      m.remove();
      map.current = null;
    };
  }, [tileUrl]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    layer.current?.remove();
    if (!geojson || geojson.features.length === 0) return;
    const gj = L.geoJSON(geojson, {
      style: (f) => {
        const code = String(f?.properties?.code ?? '');
        const h = heat?.[code];
        return {
          color: code === highlight ? '#b3102a' : '#3b5b7a',
          weight: code === highlight ? 3 : 1,
          fillColor: h !== undefined ? '#d4380d' : '#8fb3d9',
          fillOpacity: h !== undefined ? 0.1 + 0.7 * h : 0.15,
        };
      },
      onEachFeature: (f, l) => {
        const name = String(f.properties?.name ?? '');
        l.bindTooltip(name);
        l.on('click', (e: L.LeafletMouseEvent) => {
          if (clickRef.current) {
            L.DomEvent.stopPropagation(e);
            clickRef.current(String(f.properties?.code), name);
          }
        });
      },
    }).addTo(m);
    layer.current = gj;
    const bounds = gj.getBounds();
    if (bounds.isValid()) m.fitBounds(bounds, { padding: [8, 8] });
  }, [geojson, heat, highlight]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    marker.current?.remove();
    marker.current = null;
    if (pin) marker.current = L.circleMarker([pin.lat, pin.lon], { radius: 9, color: '#fff', weight: 3, fillColor: '#b3102a', fillOpacity: 1 }).addTo(m);
  }, [pin]);

  return <div ref={el} className={tall ? 'gz-map tall' : 'gz-map'} role="application" aria-label={label} tabIndex={0} data-testid="territory-map" />;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
