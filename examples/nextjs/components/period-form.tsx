import type { Plan } from 'costledger'
import Form from 'next/form'

/**
 * The month picker, and the plan filter when there is a choice to make. A GET form: the
 * period and plan live in the URL, so a view can be bookmarked and shared.
 */
export function PeriodForm({
  action,
  period,
  plans = [],
  plan,
}: {
  action: string
  period: string
  plans?: Plan[]
  plan?: string
}) {
  return (
    <Form action={action} className="period-form">
      <label>
        Month <input type="month" name="period" defaultValue={/^\d{4}-\d{2}$/.test(period) ? period : undefined} required />
      </label>
      {plans.length > 1 && (
        <label>
          Plan{' '}
          <select name="plan" defaultValue={plan ?? ''} data-plan-filter>
            <option value="">All plans</option>
            {plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit">Show</button>
    </Form>
  )
}
