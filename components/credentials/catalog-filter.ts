import type { CatalogGroup, CatalogPermission } from "@/lib/apis/permission-catalog";

/** Groups from several sources as one list: first appearance of an API fixes its place. */
export function mergeGroups(sources: readonly (readonly CatalogGroup[])[]): CatalogGroup[] {
  const byApi = new Map<string, { api: CatalogGroup["api"]; permissions: Map<string, CatalogPermission> }>();
  for (const groups of sources) {
    for (const group of groups) {
      const entry = byApi.get(group.api.id) ?? { api: group.api, permissions: new Map() };
      for (const p of group.permissions) entry.permissions.set(p.id, p);
      byApi.set(group.api.id, entry);
    }
  }
  return [...byApi.values()].map(({ api, permissions }) => ({
    api,
    permissions: [...permissions.values()].sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

/** The search rule of lib/apis/permission-catalog.ts, over what is loaded: API name, else permission name. */
export function filterGroups(groups: readonly CatalogGroup[], term: string): CatalogGroup[] {
  if (term === "") return [...groups];
  return groups.flatMap((group) => {
    if (group.api.name.toLowerCase().includes(term)) return [group];
    const permissions = group.permissions.filter((p) => p.name.toLowerCase().includes(term));
    return permissions.length > 0 ? [{ ...group, permissions }] : [];
  });
}
