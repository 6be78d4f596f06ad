// Ant Design's theme and locale for a page. Kept out of the entry chunk: each lazy page wraps
// itself, so the first paint does not wait for antd. The Chinese locale is the ES module (the
// `antd/locale/*` paths are CommonJS and drag in every picker's locale); English is antd's own
// default, so it needs no locale object.
import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/es/locale/zh_CN';
import { useTranslation } from 'react-i18next';

export function AntShell({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? undefined : zhCN} theme={{ token: { colorPrimary: '#b3102a', borderRadius: 6 } }}>
      {children}
    </ConfigProvider>
  );
}
