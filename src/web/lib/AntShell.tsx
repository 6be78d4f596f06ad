// Ant Design's theme and locale for a page. Kept out of the entry chunk: each lazy page wraps
// itself, so the first paint does not wait for antd.
import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';

export function AntShell({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#b3102a', borderRadius: 6 } }}>
      {children}
    </ConfigProvider>
  );
}
