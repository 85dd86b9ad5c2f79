'use client'

import { useEffect } from 'react'

/**
 * Marks `<html data-hydrated>` once React runs in the page, so scripts and the browser test
 * know its buttons answer clicks (the forms work before that too, as plain posts).
 */
export function Hydrated() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true'
  }, [])
  return null
}
