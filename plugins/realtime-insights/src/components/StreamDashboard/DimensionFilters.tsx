import { useApi } from '@backstage/frontend-plugin-api';
import { DimensionFilter } from '@internal/plugin-realtime-insights-common';
import {
  Box,
  Button,
  Chip,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  TextField,
} from '@material-ui/core';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { realtimeInsightsApiRef } from '../../api';

/** Number of a dimension's top values offered as filter suggestions. */
const SUGGESTIONS = 20;

/** Replaces the filter on `filter.field`, if any, with `filter`. */
export function withFilter(
  filters: DimensionFilter[],
  filter: DimensionFilter,
): DimensionFilter[] {
  return [...filters.filter(f => f.field !== filter.field), filter];
}

/**
 * Filters as chips (delete to remove) and a row to add one: a dimension and
 * any of its values, suggested from the range's top values.
 */
export function DimensionFilters(props: {
  stream: string;
  dimensions: string[];
  filters: DimensionFilter[];
  range: { from: string; to: string };
  onChange: (filters: DimensionFilter[]) => void;
}) {
  const { stream, dimensions, filters, range, onChange } = props;
  const api = useApi(realtimeInsightsApiRef);
  const [field, setField] = useState('');
  const [values, setValues] = useState<string[]>([]);
  const [typed, setTyped] = useState('');

  // Suggestions for the chosen dimension; the range is read when the
  // dimension is picked, not on every live refresh.
  const suggestions = useAsync(async () => {
    if (!field) return [];
    const breakdown = await api.getBreakdown(stream, {
      from: range.from,
      to: range.to,
      dimension: field,
      top: SUGGESTIONS,
    });
    return breakdown.values.map(v => v.value);
  }, [api, stream, field]);

  const pending = [...values, ...(typed.trim() ? [typed.trim()] : [])];
  const add = () => {
    onChange(withFilter(filters, { field, values: [...new Set(pending)] }));
    setField('');
    setValues([]);
    setTyped('');
  };

  if (!dimensions.length) return null;
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
      {filters.map(f => (
        <Chip
          key={f.field}
          label={`${f.field}: ${f.values.join(', ')}`}
          onDelete={() => onChange(filters.filter(x => x.field !== f.field))}
          color="primary"
          variant="outlined"
          size="small"
        />
      ))}
      <FormControl variant="outlined" size="small" style={{ minWidth: 160 }}>
        <InputLabel id="rti-filter-field-label">Filter on</InputLabel>
        <Select
          labelId="rti-filter-field-label"
          label="Filter on"
          value={field}
          onChange={e => {
            setField(e.target.value as string);
            setValues([]);
          }}
        >
          {dimensions.map(d => (
            <MenuItem key={d} value={d}>
              {d}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      {field && (
        <>
          <Autocomplete
            multiple
            freeSolo
            size="small"
            style={{ minWidth: 240 }}
            options={suggestions.value ?? []}
            loading={suggestions.loading}
            value={values}
            onChange={(_, next) => setValues(next as string[])}
            inputValue={typed}
            onInputChange={(_, next) => setTyped(next)}
            renderInput={params => (
              <TextField
                {...params}
                variant="outlined"
                label={`${field} is any of`}
              />
            )}
          />
          <Button
            variant="outlined"
            color="primary"
            disabled={!pending.length}
            onClick={add}
          >
            Add filter
          </Button>
        </>
      )}
    </Box>
  );
}
