// Region names as the API lists them (GET /api/v1/regions): no table of
// our own to drift from the database's.
import { useQuery } from '@tanstack/react-query'
import { API } from '@/lib/api'

export function useRegionName() {
  const q = useQuery({ queryKey: ['regions'], queryFn: API.regions, staleTime: 3_600_000 })
  const names = new Map((q.data?.regions ?? []).map((r) => [r.name, r.display_name]))
  return (name: string) => names.get(name) ?? name
}
