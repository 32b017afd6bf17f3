// The one QueryClient: no retry of an answer the server meant (4xx), two
// retries with backoff of a dropped connection or a 5xx; a 401 anywhere
// empties ["me"], which shows the login page.
import { QueryClient } from '@tanstack/react-query'
import { ApiError, onUnauthorized } from './api'

export function retryable(n: number, e: unknown): boolean {
  if (e instanceof ApiError && e.status >= 400 && e.status < 500) return false
  return n < 2
}

export function makeQueryClient(): QueryClient {
  const qc = new QueryClient({
    defaultOptions: {
      queries: { retry: retryable, staleTime: 5_000, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  })
  onUnauthorized(() => qc.setQueryData(['me'], null))
  return qc
}
