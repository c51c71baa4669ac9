import {
  Box,
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  TextField,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import {
  RANGE_PRESETS,
  RangePreset,
  RangeSelection,
  fromLocalInputValue,
  timeZoneLabel,
  toLocalInputValue,
} from './timeRange';

const CUSTOM = 'custom';

/**
 * Last 15 min / 1 h / 24 h / 7 d, or custom local times. Custom times are
 * entered and shown in the browser's time zone, which it names.
 */
export function TimeRangePicker(props: {
  value: RangeSelection;
  onChange: (value: RangeSelection) => void;
}) {
  const { value, onChange } = props;
  const now = Date.now();
  const initialFrom =
    value.preset === 'custom' ? value.fromMs : now - RANGE_PRESETS['1h'].ms;
  const initialTo = value.preset === 'custom' ? value.toMs : now;
  const [editing, setEditing] = useState(value.preset === 'custom');
  const [from, setFrom] = useState(toLocalInputValue(initialFrom));
  const [to, setTo] = useState(toLocalInputValue(initialTo));

  const fromMs = fromLocalInputValue(from);
  const toMs = fromLocalInputValue(to);
  let customError: string | undefined;
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) {
    customError = 'Enter both times';
  } else if (fromMs >= toMs) {
    customError = 'From must be before To';
  }

  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
      <FormControl variant="outlined" size="small" style={{ minWidth: 180 }}>
        <InputLabel id="rti-range-label">Time range</InputLabel>
        <Select
          labelId="rti-range-label"
          label="Time range"
          value={editing ? CUSTOM : value.preset}
          onChange={e => {
            const next = e.target.value as RangePreset | typeof CUSTOM;
            if (next === CUSTOM) {
              setEditing(true);
            } else {
              setEditing(false);
              onChange({ preset: next });
            }
          }}
        >
          {(Object.keys(RANGE_PRESETS) as RangePreset[]).map(key => (
            <MenuItem key={key} value={key}>
              {RANGE_PRESETS[key].label}
            </MenuItem>
          ))}
          <MenuItem value={CUSTOM}>Custom…</MenuItem>
        </Select>
      </FormControl>
      {editing && (
        <>
          <TextField
            label="From"
            type="datetime-local"
            size="small"
            variant="outlined"
            value={from}
            onChange={e => setFrom(e.target.value)}
            InputLabelProps={{ shrink: true }}
          />
          <TextField
            label="To"
            type="datetime-local"
            size="small"
            variant="outlined"
            value={to}
            onChange={e => setTo(e.target.value)}
            InputLabelProps={{ shrink: true }}
            error={!!customError}
            helperText={customError}
          />
          <Button
            variant="outlined"
            color="primary"
            disabled={!!customError}
            onClick={() => onChange({ preset: 'custom', fromMs, toMs })}
          >
            Apply
          </Button>
        </>
      )}
      <Typography
        variant="caption"
        color="textSecondary"
        data-testid="time-zone"
      >
        Times in {timeZoneLabel(now)}
      </Typography>
    </Box>
  );
}
