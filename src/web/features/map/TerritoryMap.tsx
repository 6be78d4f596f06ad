// Leaflet map of territory polygons with no base tiles by default (works offline; the demo city's
// boundaries are synthetic anyway). Optional: a pin the user places, a click handler per feature,
// markers (e.g. open cases nearby) and a circle the view is fitted to.
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
  /** Points drawn on top (each with a tooltip); a click calls onMarkerClick with its key. */
  markers?: MapMarker[];
  onMarkerClick?: (key: string) => void;
  /** A circle drawn and fitted into view instead of the outlines' bounds. */
  circle?: { lon: number; lat: number; radiusM: number } | null;
}

export interface MapMarker {
  key: string;
  lon: number;
  lat: number;
  label: string;
  colour?: string;
}

export default function TerritoryMap({ geojson, pin, onPick, onFeatureClick, heat, highlight, label, tall, tileUrl, markers, onMarkerClick, circle }: TerritoryMapProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layer = useRef<L.GeoJSON | null>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const dots = useRef<L.LayerGroup | null>(null);
  const ring = useRef<L.Circle | null>(null);
  const pickRef = useRef(onPick);
  const clickRef = useRef(onFeatureClick);
  const markerRef = useRef(onMarkerClick);
  const circleRef = useRef(circle);
  useEffect(() => {
    pickRef.current = onPick;
    clickRef.current = onFeatureClick;
    markerRef.current = onMarkerClick;
    circleRef.current = circle;
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
    gj.bringToBack();
    const bounds = gj.getBounds();
    if (bounds.isValid() && !circleRef.current) m.fitBounds(bounds, { padding: [8, 8] });
  }, [geojson, heat, highlight]);

  const cLon = circle?.lon;
  const cLat = circle?.lat;
  const cRadius = circle?.radiusM;
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    ring.current?.remove();
    ring.current = null;
    if (cLon === undefined || cLat === undefined || cRadius === undefined) return;
    const c = L.circle([cLat, cLon], { radius: cRadius, color: '#b3102a', weight: 1, dashArray: '4 4', fillOpacity: 0.04, interactive: false }).addTo(m);
    ring.current = c;
    m.fitBounds(c.getBounds(), { padding: [8, 8], animate: false });
  }, [cLon, cLat, cRadius]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    dots.current?.remove();
    dots.current = null;
    if (!markers?.length) return;
    const group = L.layerGroup(
      markers.map((d) =>
        L.circleMarker([d.lat, d.lon], { radius: 7, color: '#fff', weight: 2, fillColor: d.colour ?? '#d46b08', fillOpacity: 0.95, className: 'gz-map-marker' })
          .bindTooltip(d.label)
          .on('click', (e: L.LeafletMouseEvent) => {
            if (markerRef.current) {
              L.DomEvent.stopPropagation(e);
              markerRef.current(d.key);
            }
          }),
      ),
    ).addTo(m);
    dots.current = group;
  }, [markers]);

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
