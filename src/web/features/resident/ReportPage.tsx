// 反映问题: text with a live category suggestion, up to 9 photos (resized here), a location by
// pin, phone position or address, urgency and "hide my identity"; sent as one multipart form.
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Alert, Button, Form, Input, Radio, Space, Switch, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FeatureCollection } from 'geojson';
import { api, type IntakeResponse, type LocatedTerritory } from '../../lib/api';
import { errorText } from '../../lib/errors';
import { resizePhoto } from '../../lib/photos';
import { categoryName, nameOf, useCategories } from '../../lib/reference';
import { formatCode } from '../../lib/time';
import { RequireLogin } from '../auth/RequireLogin';
import { AntShell } from '../../lib/AntShell';
import { ResidentNav } from './ResidentNav';
import { useSuggestion } from './useSuggestion';
import { NearbyList } from '../nearby/NearbyList';
import { useNearby } from '../nearby/nearby';

const TerritoryMap = lazy(() => import('../map/TerritoryMap'));
/** Metres around the pin in which open cases are shown as "already reported". */
const alreadyRadius = 500;

interface Values {
  text: string;
  categoryCode?: string;
  address?: string;
  urgency: 'normal' | 'urgent';
  hideIdentity: boolean;
}

function ReportForm() {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const text = Form.useWatch('text', form) ?? '';
  const chosenCategory = Form.useWatch('categoryCode', form);
  const suggestion = useSuggestion(text);
  const categories = useCategories();
  const leaves = useMemo(() => categories.filter((c) => c.parentCode && c.active), [categories]);
  const [files, setFiles] = useState<File[]>([]);
  const thumbs = useMemo(() => files.map((f) => URL.createObjectURL(f)), [files]);
  useEffect(() => () => thumbs.forEach((u) => URL.revokeObjectURL(u)), [thumbs]);
  const [pin, setPin] = useState<{ lon: number; lat: number } | null>(null);
  const [showMap, setShowMap] = useState(false);
  const [place, setPlace] = useState<string | null>(null);
  const [geojson, setGeojson] = useState<FeatureCollection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<IntakeResponse | null>(null);
  const [clientKey, setClientKey] = useState(() => crypto.randomUUID());
  // 已有人反映: open cases within 500 m of the pin, so the resident can follow one instead.
  const nearby = useNearby(pin, alreadyRadius, 5);
  const nearbyMarkers = useMemo(
    () => (nearby.result?.items ?? []).map((c) => ({ key: c.code, lon: c.lon, lat: c.lat, label: `${categoryName(categories, c.categoryCode)} · ${formatCode(c.code)}` })),
    [nearby.result, categories],
  );

  // The map (Leaflet and the street outlines) loads only when the resident asks for it.
  useEffect(() => {
    if (showMap) api.get<FeatureCollection>('/territories/geojson?level=street').then(setGeojson, () => setGeojson(null));
  }, [showMap]);

  function pick(p: { lon: number; lat: number }) {
    setPin(p);
    setPlace(null);
    api.get<{ chain: LocatedTerritory[] }>(`/territories/locate?lon=${p.lon}&lat=${p.lat}`).then(
      (r) => setPlace(r.chain.slice(1).map(nameOf).join(' ')),
      (err) => setPlace(errorText(err)),
    );
  }

  function usePosition() {
    navigator.geolocation?.getCurrentPosition(
      (pos) => pick({ lon: pos.coords.longitude, lat: pos.coords.latitude }),
      () => setError(t('resident.positionFailed')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  }

  async function submit(values: Values) {
    setError(null);
    const address = values.address?.trim();
    if (!pin && !address) {
      setError(t('resident.noLocation'));
      return;
    }
    setBusy(true);
    try {
      const data = {
        text: values.text.trim(),
        categoryCode: values.categoryCode ?? suggestion?.code ?? null,
        urgency: values.urgency,
        hideIdentity: values.hideIdentity,
        channel: 'app',
        clientKey,
        location: pin ? { lon: pin.lon, lat: pin.lat, ...(address ? { address } : {}) } : { address },
      };
      const body = new FormData();
      body.append('data', JSON.stringify(data));
      for (const [i, f] of files.entries()) body.append('photos', await resizePhoto(f), `photo-${i + 1}.jpg`);
      setDone(await api.form<IntakeResponse>('/appeals/form', body));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  // A plain success panel: antd's Result carries large inline illustrations the resident never sees.
  if (done)
    return (
      <div className="gz-done" role="status">
        <div className="gz-done-icon" aria-hidden="true">
          ✓
        </div>
        <h2 data-testid="submitted">{t('resident.submitted', { code: formatCode(done.code) })}</h2>
        <p className="gz-hint">{t('resident.submittedHint')}</p>
        <Space wrap style={{ justifyContent: 'center' }}>
          <Link to="/resident/mine">
            <Button type="primary">{t('resident.mine')}</Button>
          </Link>
          <Button
            onClick={() => {
              setDone(null);
              setFiles([]);
              setPin(null);
              setClientKey(crypto.randomUUID());
              form.resetFields();
            }}
          >
            {t('resident.report')}
          </Button>
        </Space>
      </div>
    );

  return (
    <Form form={form} layout="vertical" onFinish={submit} initialValues={{ urgency: 'normal', hideIdentity: false }} requiredMark={false}>
      <Form.Item name="text" label={t('resident.text')} rules={[{ required: true, min: 5, message: t('resident.textPlaceholder') }]}>
        <Input.TextArea rows={4} maxLength={4000} showCount placeholder={t('resident.textPlaceholder')} />
      </Form.Item>
      {suggestion && (
        <div style={{ marginTop: -12, marginBottom: 12 }} aria-live="polite" data-testid="suggestion">
          {t('resident.suggestion')}:{' '}
          <Tag color="blue" style={{ cursor: 'pointer' }} onClick={() => form.setFieldValue('categoryCode', suggestion.code)}>
            {categoryName(categories, suggestion.code)}
          </Tag>
          {suggestion.urgent && <Tag color="red">{t('resident.urgent')}</Tag>}
        </div>
      )}
      <Form.Item name="categoryCode" label={t('resident.category')}>
        {/* A native select: the phone's own picker, and no select widget in the resident bundle. */}
        <select className="gz-select" aria-label={t('resident.category')}>
          <option value="">{t('resident.categoryPlaceholder')}</option>
          {leaves.map((c) => (
            <option key={c.code} value={c.code}>
              {nameOf(c)}
            </option>
          ))}
        </select>
      </Form.Item>
      <Form.Item label={t('resident.photos')}>
        <div className="gz-photos">
          {thumbs.map((u, i) => (
            <button type="button" key={u} className="gz-thumb" onClick={() => setFiles((l) => l.filter((_f, j) => j !== i))} aria-label={`${t('resident.removePhoto')} ${i + 1}`}>
              <img src={u} alt="" />
            </button>
          ))}
          {files.length < 9 && (
            <label className="gz-addphoto">
              + {t('resident.addPhoto')}
              <input
                type="file"
                accept="image/*"
                multiple
                data-testid="photos"
                onChange={(e) => {
                  const picked = [...(e.target.files ?? [])].filter((f) => f.type.startsWith('image/'));
                  setFiles((l) => [...l, ...picked].slice(0, 9));
                  e.target.value = '';
                }}
              />
            </label>
          )}
        </div>
      </Form.Item>
      <Form.Item label={t('resident.location')} required>
        {showMap && (
          <>
            <p className="gz-hint">{t('resident.pinHint')}</p>
            <Suspense fallback={<div className="gz-map" />}>
              <TerritoryMap geojson={geojson} pin={pin} onPick={pick} markers={nearbyMarkers} label={t('resident.pinHint')} />
            </Suspense>
          </>
        )}
        <Space style={{ marginTop: 8 }} wrap>
          {!showMap && (
            <Button onClick={() => setShowMap(true)} data-testid="show-map">
              {t('resident.pickOnMap')}
            </Button>
          )}
          <Button onClick={usePosition}>{t('resident.usePosition')}</Button>
          {pin && (
            <span data-testid="place" aria-live="polite">
              {place ? t('resident.located', { place }) : `${pin.lon}, ${pin.lat}`}
            </span>
          )}
        </Space>
        {pin && nearby.result && nearby.result.total > 0 && (
          <div className="gz-already" data-testid="already-reported" aria-live="polite">
            <strong>{t('nearby.already', { count: nearby.result.total, radius: t('nearby.metres', { n: alreadyRadius }) })}</strong>
            <p className="gz-hint">{t('nearby.alreadyHint')}</p>
            <NearbyList items={nearby.result.items} categories={categories} sameCategory={chosenCategory || suggestion?.code} />
            <Link to={`/resident/nearby?lon=${pin.lon}&lat=${pin.lat}&radius=${alreadyRadius}`}>{t('nearby.viewMap')}</Link>
          </div>
        )}
      </Form.Item>
      <Form.Item name="address" label={t('resident.address')}>
        <Input placeholder={t('resident.addressPlaceholder')} maxLength={200} />
      </Form.Item>
      <Form.Item name="urgency" label={t('resident.urgency')}>
        <Radio.Group optionType="button" options={[{ value: 'normal', label: t('resident.normal') }, { value: 'urgent', label: t('resident.urgent') }]} />
      </Form.Item>
      <Form.Item name="hideIdentity" label={t('resident.hideIdentity')} valuePropName="checked">
        <Switch aria-label={t('resident.hideIdentity')} />
      </Form.Item>
      {error && <Alert type="error" title={error} role="alert" style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" size="large" block loading={busy}>
        {t('resident.submit')}
      </Button>
    </Form>
  );
}

export default function ReportPage() {
  const { t } = useTranslation();
  return (
    <AntShell>
      <div className="gz-mobile">
        <ResidentNav />
        <RequireLogin>
          <section className="gz-panel">
            <h1>{t('resident.report')}</h1>
            <ReportForm />
          </section>
        </RequireLogin>
      </div>
    </AntShell>
  );
}
