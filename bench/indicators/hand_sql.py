"""The hand-written side of bench/indicators: the figures of the four case indicators straight
from the cases, in one statement, for the engine's figures to be compared with and timed against.
"""

HAND_TABLE = "bench_hand_result"

# The figures of the four case indicators, straight from the cases: one scan counts every
# level, channel and service slice (hash grouping sets), one more takes the median and P90 of
# duration against the term per subject; shares, Wilson intervals, the loyalty index, statuses
# against each definition's minimum sample, all in SQL, written with one INSERT … SELECT.
HAND_SQL = f"""
INSERT INTO {HAND_TABLE} (definition_id, indicator_code, subject_type, subject_key, period,
    breakdown, value, numerator, denominator, n, ci_low, ci_high, extra, status, revision,
    is_current, computed_at)
WITH marked AS (
  SELECT main_centre_id, provider_id, hromada_id, region_id, channel, service_id, on_time,
         outcome, rating,
         received_at >= %(s)s AND received_at < %(e)s AS r,
         done_at >= %(s)s AND done_at < %(e)s AND outcome <> 'withdrawn' AS d,
         rated_at >= %(s)s AND rated_at < %(e)s AND rating IS NOT NULL AS t
  FROM cases_case
  WHERE sandbox = false AND ((received_at >= %(s)s AND received_at < %(e)s)
        OR (done_at >= %(s)s AND done_at < %(e)s) OR (rated_at >= %(s)s AND rated_at < %(e)s))
), counts AS (
  SELECT CASE WHEN GROUPING(main_centre_id) = 0 THEN 'centre'
              WHEN GROUPING(provider_id) = 0 THEN 'provider'
              WHEN GROUPING(hromada_id) = 0 THEN 'hromada'
              WHEN GROUPING(region_id) = 0 THEN 'region' ELSE 'nation' END AS level,
         coalesce(main_centre_id::text, provider_id::text, hromada_id, region_id, '') AS ident,
         CASE WHEN GROUPING(main_centre_id) + GROUPING(provider_id) + GROUPING(hromada_id)
                   + GROUPING(region_id) = 4 THEN true
              ELSE coalesce(main_centre_id::text, provider_id::text, hromada_id, region_id)
                   IS NOT NULL END AS known,
         CASE WHEN GROUPING(channel) = 0 THEN 'channel:' || channel END AS by_channel,
         CASE WHEN GROUPING(service_id) = 0 THEN service_id END AS by_service,
         count(*) FILTER (WHERE r) AS received,
         count(*) FILTER (WHERE r AND channel = 'online') AS online,
         count(*) FILTER (WHERE d AND on_time IS NOT NULL) AS with_term,
         count(*) FILTER (WHERE d AND on_time) AS on_time,
         count(*) FILTER (WHERE d AND outcome = 'refused') AS refused,
         count(*) FILTER (WHERE d AND outcome = 'issued') AS issued,
         count(*) FILTER (WHERE t) AS rated,
         count(*) FILTER (WHERE t AND rating >= 9) AS promoters,
         count(*) FILTER (WHERE t AND rating <= 6) AS detractors
  FROM marked
  GROUP BY GROUPING SETS ((main_centre_id), (provider_id), (hromada_id), (region_id), (),
                          (main_centre_id, channel), (provider_id, channel), (region_id, channel),
                          (channel), (region_id, service_id), (service_id))
), quantiles AS (
  SELECT CASE WHEN GROUPING(main_centre_id) = 0 THEN 'centre'
              WHEN GROUPING(provider_id) = 0 THEN 'provider'
              WHEN GROUPING(hromada_id) = 0 THEN 'hromada'
              WHEN GROUPING(region_id) = 0 THEN 'region' ELSE 'nation' END AS level,
         coalesce(main_centre_id::text, provider_id::text, hromada_id, region_id, '') AS ident,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY ratio) AS p90
  FROM (SELECT main_centre_id, provider_id, hromada_id, region_id,
               EXTRACT(EPOCH FROM (done_at - received_at))
               / EXTRACT(EPOCH FROM (due_at - received_at)) AS ratio
        FROM cases_case
        WHERE sandbox = false AND done_at >= %(s)s AND done_at < %(e)s
          AND outcome <> 'withdrawn' AND on_time IS NOT NULL AND due_at > received_at) f
  GROUP BY GROUPING SETS ((main_centre_id), (provider_id), (hromada_id), (region_id), ())
), subjects AS (
  SELECT k.*, q.median, q.p90,
         CASE k.level WHEN 'centre' THEN ce.code WHEN 'provider' THEN o.code ELSE k.ident END AS key,
         coalesce(k.by_channel, 'service:' || sv.code, '') AS breakdown
  FROM counts k
  LEFT JOIN quantiles q ON q.level = k.level AND q.ident = k.ident
                       AND k.by_channel IS NULL AND k.by_service IS NULL
  LEFT JOIN registry_centre ce ON k.level = 'centre' AND ce.id::text = k.ident
  LEFT JOIN registry_organisation o ON k.level = 'provider' AND o.id::text = k.ident
                                   AND o.kind = 'provider'
  LEFT JOIN registry_service sv ON sv.id = k.by_service
  WHERE k.known
), figures AS (
  SELECT 'timeliness' AS code, level, key, breakdown, on_time::float8 AS num,
         with_term::float8 AS den, with_term AS n,
         CASE WHEN breakdown = '' AND median IS NOT NULL
              THEN jsonb_build_object('median_ratio', median, 'p90_ratio', p90)
              ELSE '{{}}'::jsonb END AS extra
  FROM subjects WHERE breakdown = '' OR with_term > 0
  UNION ALL
  SELECT 'refusal_share', level, key, '', refused, refused + issued, refused + issued, '{{}}'
  FROM subjects WHERE breakdown = ''
  UNION ALL
  SELECT 'online_share', level, key, '', online, received, received, '{{}}'
  FROM subjects WHERE breakdown = ''
  UNION ALL
  SELECT 'loyalty_index', level, key, '', promoters - detractors, rated, rated,
         jsonb_build_object('promoters', promoters, 'detractors', detractors,
                            'passives', rated - promoters - detractors)
  FROM subjects WHERE breakdown = ''
), valued AS (
  SELECT f.*, d.id AS definition_id,
         CASE WHEN f.den <= 0 THEN 'no_data' WHEN f.den < d.min_sample THEN 'insufficient'
              ELSE 'ok' END AS status,
         f.num / nullif(f.den, 0) AS p,
         1.959963984540054::float8 AS z
  FROM figures f JOIN indicators_indicatordefinition d
    ON d.methodology_id = %(methodology)s AND d.code = f.code
  WHERE f.key IS NOT NULL
)
SELECT definition_id, code, level, key, %(period)s, breakdown,
       CASE WHEN status <> 'ok' THEN NULL
            WHEN code = 'loyalty_index' THEN 100.0 * num / den ELSE p END,
       num, den, n,
       CASE WHEN status <> 'ok' THEN NULL
            WHEN code = 'loyalty_index' THEN greatest(-100.0, 100 * (lw.mean - lw.half))
            ELSE greatest(0.0, round(((p + z * z / (2 * den)) / (1 + z * z / den)
                 - z * sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den))::numeric, 12)::float8) END,
       CASE WHEN status <> 'ok' THEN NULL
            WHEN code = 'loyalty_index' THEN least(100.0, 100 * (lw.mean + lw.half))
            ELSE least(1.0, round(((p + z * z / (2 * den)) / (1 + z * z / den)
                 + z * sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den))::numeric, 12)::float8) END,
       extra, status, 1, true, now()
FROM valued
CROSS JOIN LATERAL (
  SELECT pp - dd AS mean, z * sqrt(greatest(pp + dd - (pp - dd) ^ 2, 0) / (den + 3)) AS half
  FROM (SELECT ((extra ->> 'promoters')::float8 + 0.75) / (den + 3) AS pp,
               ((extra ->> 'detractors')::float8 + 0.75) / (den + 3) AS dd) a
) lw
"""
