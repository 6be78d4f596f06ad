// Reference data the pages share, fetched once per page load.
import { useEffect, useState } from 'react';
import i18n from 'i18next';
import { api, type Category } from './api';

let categories: Promise<Category[]> | null = null;

export function useCategories(): Category[] {
  const [list, setList] = useState<Category[]>([]);
  useEffect(() => {
    categories ??= api.get<Category[]>('/categories').catch(() => {
      categories = null;
      return [];
    });
    let live = true;
    void categories.then((c) => live && setList(c));
    return () => {
      live = false;
    };
  }, []);
  return list;
}

export const nameOf = (x: { nameZh: string | null; nameEn?: string | null } | null | undefined): string =>
  !x ? '—' : i18n.language === 'en' ? (x.nameEn ?? x.nameZh ?? '') : (x.nameZh ?? '');

export function categoryName(list: Category[], code: string | null): string {
  if (!code) return '—';
  const c = list.find((x) => x.code === code);
  return c ? nameOf(c) : code;
}
